"""Queue tabs with counts (issue 13, point 10): each tab of the review queue, the tip-off
queue and the 12387 inbox shows how many items it holds, counted in one aggregate query."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import roles_of
from intake.models import InboxItem
from reports.services.drafting import report_create
from reports.services.submission import report_submit
from review.selectors import RECEIVING_TABS, review_queue, review_queue_counts
from review.services.triage import report_claim, report_close
from tests.tipoffs.test_tipoffs import GOOD as TIPOFF
from tipoffs.services import tipoff_dismiss, tipoff_submit

pytestmark = pytest.mark.django_db

TAB_COUNT = re.compile(
    r'data-tab="(\w+)">[^<]*<span class="badge[^"]*tab-count" data-count="(\d+)">'
)


@pytest.fixture(autouse=True)
def frozen(now):
    with time_machine.travel(now, tick=False):
        yield


def submit(demo, now, **changes):
    user = demo["operator-general"]
    data = {
        "title": "官网遭受拒绝服务攻击",
        "affected_systems": "门户网站",
        "discovered_at": now - timedelta(minutes=30),
        "location": "广州",
        "category": "0208",
        "severity_declared": "significant",
        "impact_description": "无法访问",
        "measures_taken": "流量清洗",
        **changes,
    }
    draft = report_create(user=user, data=data, now=now)
    return report_submit(user=user, pk=draft.pk, now=now)


def tab_counts(response) -> dict[str, int]:
    assert response.status_code == 200
    return {tab: int(n) for tab, n in TAB_COUNT.findall(response.content.decode())}


def test_each_tab_of_the_review_queue_shows_how_many_reports_it_holds(demo, now, web_for):
    reviewer = demo["reviewer-gd"]
    submit(demo, now)
    submit(demo, now, title="官网被篡改")
    claimed = submit(demo, now, title="数据泄露")
    report_claim(user=reviewer, pk=claimed.pk, now=now)
    closed = submit(demo, now, title="已处置的事件")
    report_claim(user=reviewer, pk=closed.pk, now=now)
    report_close(user=reviewer, pk=closed.pk, reason="已处置完毕", now=now)
    submit(demo, now, title="重大事件", severity_declared="major")  # serious, to forward
    expected = {
        tab: review_queue(user=reviewer, tab=tab, now=timezone.now()).count()
        for tab in RECEIVING_TABS
    }
    assert expected["new"] >= 3 and expected["mine"] >= 1 and expected["closed"] >= 1
    assert expected["serious"] >= 1
    # the page shows the same numbers, on every tab
    web = web_for("reviewer-gd")
    page = tab_counts(web.get(reverse("review:queue")))
    assert page == expected
    assert tab_counts(web.get(reverse("review:queue"), {"tab": "closed"})) == expected
    # under a filter the counts follow it
    filtered = tab_counts(web.get(reverse("review:queue"), {"q": "官网被篡改"}))
    assert filtered["new"] == 1 and filtered["mine"] == 0 and filtered["closed"] == 0


def test_the_counts_are_one_aggregate_query(demo, now):
    reviewer = demo["reviewer-gd"]
    submit(demo, now)
    roles_of(reviewer)  # the roles, read once per request by the middleware and the layout
    with CaptureQueriesContext(connection) as captured:
        counts = review_queue_counts(user=reviewer, now=timezone.now())
    aggregates = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"]]
    assert len(aggregates) == 1
    assert aggregates[0].count("FILTER (WHERE") == len(RECEIVING_TABS)
    # the rest are the visibility rule's short lists (copies, required reports), whatever
    # the number of tabs
    assert len(captured.captured_queries) <= 3
    assert set(counts) == set(RECEIVING_TABS)


def test_the_national_queue_counts_its_tabs(demo, now, web_for):
    page = tab_counts(web_for("national").get(reverse("review:national_queue")))
    assert set(page) == {"new", "mine", "waiting", "closed"}
    expected = {
        tab: review_queue(user=demo["national"], tab=tab, now=now, national=True).count()
        for tab in page
    }
    assert page == expected


def test_the_police_liaisons_read_only_queue_counts_its_copies(demo, now, web_for):
    submit(demo, now, suspected_crime=True)  # copied to the provincial public security
    page = tab_counts(web_for("police-liaison").get(reverse("review:queue")))
    assert page["new"] >= 1


def test_the_tipoff_queue_and_the_inbox_count_their_tabs(demo, now, web_for):
    for i in range(3):
        tipoff_submit(
            data=TIPOFF, address=f"203.0.113.{i + 1}", rendered_at=now.timestamp() - 30, now=now
        )
    last = tipoff_submit(
        data=TIPOFF, address="203.0.113.9", rendered_at=now.timestamp() - 30, now=now
    )
    tipoff_dismiss(user=demo["national"], pk=last.pk, reason="重复", now=now)
    with CaptureQueriesContext(connection) as captured:
        tipoffs = tab_counts(web_for("reviewer-gd").get(reverse("tipoffs:queue")))
    assert tipoffs["new"] >= 3 and tipoffs["dismissed"] >= 1 and "recorded" in tipoffs
    tipoff_queries = [q["sql"] for q in captured.captured_queries if "reports_tipoff" in q["sql"]]
    assert sum("COUNT(" in sql for sql in tipoff_queries) == 1  # (the bell counts too)

    for i, status in enumerate(["new", "new", "dismissed"]):
        InboxItem.objects.create(
            key=f"count-{i}", route="email", received_at=now, raw=b"", status=status
        )
    inbox = tab_counts(web_for("intake-12387").get(reverse("intake:inbox")))
    assert inbox == {
        status: InboxItem.objects.filter(status=status).count()
        for status in ("new", "added", "reported", "dismissed")
    }
    assert inbox["new"] >= 2 and inbox["dismissed"] >= 1
