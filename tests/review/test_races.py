"""Races on real PostgreSQL, with threads holding their own connections: two reviewers
claiming at once (one wins, the other is told), a manual forward racing the automatic one
(exactly one escalation)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from core.exceptions import InvalidTransition
from reports.models import Forwarding, Report, ReportEvent
from reports.services.drafting import report_create
from reports.services.submission import report_submit
from review.services.forwarding import report_forward
from review.services.triage import report_claim

pytestmark = pytest.mark.django_db(transaction=True)


def _submitted_major(demo, now):
    op = demo["operator-general"]
    report = report_create(
        user=op,
        now=now,
        data={
            "title": "DDoS",
            "affected_systems": "门户",
            "discovered_at": now - timedelta(minutes=20),
            "location": "广州",
            "category": "0208",
            "severity_declared": "major",
            "impact_description": "中断",
            "measures_taken": "清洗",
        },
    )
    return report_submit(user=op, pk=report.pk, now=now)


def _race(*calls):
    """Run the calls at the same moment; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # the loser's error is the result under test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_reviewers_claim_at_once_one_wins(demo, now):
    # given a second reviewer at the same authority
    from django.contrib.auth import get_user_model

    from accounts.models import Authority, Membership

    other = get_user_model().objects.create_user("reviewer-gd-2", password="x")
    Membership.objects.create(
        user=other, role="reviewer", authority=Authority.objects.get(code="cac-440000")
    )
    for _ in range(5):
        report = _submitted_major(demo, now)
        # when
        results = _race(
            lambda pk=report.pk: report_claim(user=demo["reviewer-gd"], pk=pk, now=now),
            lambda pk=report.pk: report_claim(user=other, pk=pk, now=now),
        )
        # then
        winners = [r for r in results if isinstance(r, Report)]
        losers = [r for r in results if isinstance(r, InvalidTransition)]
        assert len(winners) == 1 and len(losers) == 1, results
        assert "Already claimed" in str(losers[0]) or "已" in str(losers[0])
        assert report.events.filter(kind=ReportEvent.Kind.CLAIMED).count() == 1


def test_manual_forward_racing_the_automatic_one_escalates_once(demo, now):
    for _ in range(100):
        report = _submitted_major(demo, now)
        results = _race(
            lambda pk=report.pk: report_forward(user=demo["reviewer-gd"], pk=pk, now=now),
            lambda pk=report.pk: report_forward(user=None, pk=pk, automatic=True, now=now),
        )
        assert Forwarding.objects.filter(report=report).count() == 1, results
        assert report.events.filter(kind=ReportEvent.Kind.FORWARDED).count() == 1
        report.refresh_from_db()
        assert report.tier == "national"
        assert report.deadlines.get(kind="forward").outcome in ("met", "late")


def test_two_sweepers_acting_on_the_same_clock_forward_once(demo, now):
    from escalation.services.engine import deadline_act

    for _ in range(20):
        report = _submitted_major(demo, now)
        clock = report.deadlines.get(kind="forward")
        at = clock.act_at
        _race(
            lambda pk=clock.pk, at=at: deadline_act(deadline_id=pk, now=at),
            lambda pk=clock.pk, at=at: deadline_act(deadline_id=pk, now=at),
        )
        # one of them may have skipped the locked row: the next sweep finds nothing to do
        deadline_act(deadline_id=clock.pk, now=at)
        assert Forwarding.objects.filter(report=report).count() == 1
        assert report.events.filter(kind=ReportEvent.Kind.FORWARDED, automatic=True).count() == 1
