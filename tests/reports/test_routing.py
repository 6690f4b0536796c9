"""Routing and the filing / forward clocks (docs/RULES.md §2), through the services."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from accounts.models import Membership, Organization
from accounts.validators import make_uscc
from escalation.models import Deadline, EscalationPolicy
from reports.constants import Channel
from reports.models import ReportEvent
from reports.routing import channel_for
from reports.services.drafting import report_create, report_update
from reports.services.submission import report_submit

pytestmark = pytest.mark.django_db

OPERATOR = {"cii": "operator-cii", "central": "operator-central", "general": "operator-general"}
RECEIVING = {"cii": "pd-energy", "central": "dco-miit", "general": "cac-440000"}
COPIES = {"cii": {"ps-440000"}, "central": set(), "general": set()}
POLICE = {"cii": "ps-440000", "central": "ps-110000", "general": "ps-440000"}
FILE_LIMIT = {
    "cii": timedelta(hours=1),
    "central": timedelta(hours=2),
    "general": timedelta(hours=4),
}
FORWARD_LIMIT = {
    "cii": timedelta(minutes=30),
    "central": timedelta(hours=1),
    "general": timedelta(hours=1),
}
LEVELS = ("general", "significant", "major", "especially_major")


def draft_data(now, *, level="significant", discovered=timedelta(minutes=30), **extra) -> dict:
    data = {
        "title": "勒索软件加密业务服务器",
        "affected_systems": "ERP",
        "discovered_at": now - discovered,
        "location": "广州",
        "category": "0208",
        "severity_declared": level,
        "impact_description": "服务中断",
        "measures_taken": "隔离",
    }
    data.update(extra)
    return data


def create_and_submit(user, now, *, submit_at=None, **data_kwargs):
    draft = report_create(user=user, now=now, data=draft_data(now, **data_kwargs))
    return report_submit(user=user, pk=draft.pk, now=submit_at or now)


def codes(authorities) -> set[str]:
    return {a.code for a in authorities}


# -- pure ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("involves_cii", "is_central_unit", "expected"),
    [
        (True, False, Channel.CII),
        (True, True, Channel.CII),  # the stricter limit wins
        (False, True, Channel.CENTRAL),
        (False, False, Channel.GENERAL),
    ],
)
def test_channel_for(involves_cii, is_central_unit, expected):
    assert channel_for(involves_cii=involves_cii, is_central_unit=is_central_unit) == expected


# -- every channel × every level ----------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("channel", ["cii", "central", "general"])
def test_route_and_clocks(demo, now, channel, level):
    # given
    user = demo[OPERATOR[channel]]
    discovered_at = now - timedelta(minutes=20)
    # when
    report = create_and_submit(user, now, level=level, discovered=timedelta(minutes=20))
    # then: routed by the server
    assert report.channel == channel
    assert report.receiving_authority.code == RECEIVING[channel]
    assert codes(report.copied_to.all()) == COPIES[channel]
    assert report.status == "submitted"
    assert report.submitted_at == now
    assert report.submitted_by == user
    assert report.severity == level
    assert list(report.events.values_list("kind", flat=True)) == [
        ReportEvent.Kind.CREATED,
        ReportEvent.Kind.SUBMITTED,
    ]
    clocks = {d.kind: d for d in Deadline.objects.filter(report=report)}
    if level == "general":  # 一般 declared and suggested: no duty, no clock at all
        assert clocks == {}
        return
    # the operator's clock: 1 / 2 / 4 h from discovery, met at submission
    file_clock = clocks.pop("file")
    assert file_clock.opened_at == discovered_at
    assert file_clock.statutory_due_at == discovered_at + FILE_LIMIT[channel]
    assert file_clock.due_at == file_clock.statutory_due_at
    assert file_clock.met_at == now
    assert file_clock.outcome == Deadline.Outcome.MET
    assert file_clock.lateness is None
    assert file_clock.next_fire_at is None
    if level == "significant":
        assert clocks == {}
        return
    # serious: the receiving body's clock, 30 min (cii) / 1 h from receipt
    forward = clocks.pop("forward")
    assert clocks == {}
    assert forward.opened_at == now
    assert forward.statutory_due_at == now + FORWARD_LIMIT[channel]
    assert forward.due_at == forward.statutory_due_at
    assert forward.act_at == forward.due_at - timedelta(minutes=5)
    assert forward.outcome == Deadline.Outcome.OPEN
    assert forward.next_fire_at == now + FORWARD_LIMIT[channel] / 2  # first reminder


@pytest.mark.parametrize("channel", ["cii", "central", "general"])
def test_suspected_crime_copies_public_security_on_any_channel(demo, now, channel):
    report = create_and_submit(demo[OPERATOR[channel]], now, suspected_crime=True)
    assert codes(report.copied_to.all()) == COPIES[channel] | {POLICE[channel]}
    assert report.copied_to.count() == len(COPIES[channel] | {POLICE[channel]})


def test_a_cii_operator_that_is_a_central_unit_reports_on_cii_with_the_cyber_office_copied(
    demo, now
):
    # given
    org = Organization.objects.create(
        name="某部直属电网调度中心",
        uscc=make_uscc("110100", 77, registration="11"),
        province_id="110000",
        sector_id="energy",
        is_cii_operator=True,
        is_central_unit=True,
        department_id="miit",
    )
    user = get_user_model().objects.create_user("operator-cii-central")
    Membership.objects.create(user=user, role="reporter", organization=org)
    # when
    report = create_and_submit(user, now, level="major")
    # then
    assert report.involves_cii  # pre-ticked for a CII operator
    assert report.channel == "cii"
    assert report.receiving_authority.code == "pd-energy"
    assert codes(report.copied_to.all()) == {"ps-110000", "dco-miit"}
    assert report.deadlines.get(kind="file").due_at == now - timedelta(minutes=30) + timedelta(
        hours=1
    )
    assert report.deadlines.get(kind="forward").due_at == now + timedelta(minutes=30)


# -- the channel is derived, never taken from input ---------------------------------------


@pytest.mark.parametrize("field", ["channel", "receiving_authority", "submitted_at", "severity"])
def test_derived_fields_cannot_be_set(demo, now, field):
    with pytest.raises(ValidationError) as exc:
        report_create(user=demo["operator-general"], now=now, data={**draft_data(now), field: "x"})
    assert field in exc.value.message_dict


def test_a_cii_operator_must_justify_unticking_involves_cii(demo, now):
    # given
    user = demo["operator-cii"]
    draft = report_create(user=user, now=now, data=draft_data(now, involves_cii=False))
    assert draft.channel == "general"  # routed by the incident, not the operator
    # when / then
    with pytest.raises(ValidationError) as exc:
        report_submit(user=user, pk=draft.pk, now=now)
    assert "cii_untick_reason" in exc.value.message_dict
    report = report_submit(
        user=user, pk=draft.pk, now=now, data={"cii_untick_reason": "办公网邮件系统，非关基"}
    )
    assert report.channel == "general"
    assert report.receiving_authority.code == "cac-440000"
    assert codes(report.copied_to.all()) == set()
    assert report.deadlines.get(kind="file").due_at == now - timedelta(minutes=30) + timedelta(
        hours=4
    )


def test_a_cii_operators_draft_comes_pre_ticked(demo, now):
    draft = report_create(user=demo["operator-cii"], now=now, data={"title": "x"})
    assert draft.involves_cii
    assert draft.channel == "cii"


# -- filing lateness ----------------------------------------------------------------------


def test_submitted_exactly_at_the_limit_is_on_time(demo, now):
    report = create_and_submit(demo["operator-general"], now, discovered=timedelta(hours=4))
    file_clock = report.deadlines.get(kind="file")
    assert file_clock.outcome == Deadline.Outcome.MET
    assert file_clock.lateness is None
    assert not file_clock.breached


def test_one_second_after_the_limit_is_late_and_needs_a_reason(demo, now):
    # given
    user = demo["operator-general"]
    discovered = timedelta(hours=4, seconds=1)
    draft = report_create(user=user, now=now, data=draft_data(now, discovered=discovered))
    # when / then
    with pytest.raises(ValidationError) as exc:
        report_submit(user=user, pk=draft.pk, now=now)
    assert "late_reason" in exc.value.message_dict
    report = report_submit(
        user=user, pk=draft.pk, now=now, data={"late_reason": "值班人员未及时发现"}
    )
    file_clock = report.deadlines.get(kind="file")
    assert file_clock.outcome == Deadline.Outcome.LATE
    assert file_clock.lateness == timedelta(seconds=1)
    assert file_clock.breached


def test_a_general_incident_late_needs_no_reason(demo, now):
    report = create_and_submit(
        demo["operator-general"], now, level="general", discovered=timedelta(hours=30)
    )
    assert report.status == "submitted"
    assert not report.deadlines.exists()


def test_a_stricter_policy_marks_late_without_legal_lateness(demo, now):
    # given an internal target of 2 h for the general channel (the law says 4 h)
    policy = EscalationPolicy.objects.get(channel="general")
    policy.file_within = timedelta(hours=2)
    policy.full_clean()
    policy.save()
    # when filed 3 h after discovery
    report = create_and_submit(demo["operator-general"], now, discovered=timedelta(hours=3))
    # then late against the target, on time against the law: no reason needed
    file_clock = report.deadlines.get(kind="file")
    assert file_clock.due_at == now - timedelta(hours=1)
    assert file_clock.statutory_due_at == now + timedelta(hours=1)
    assert file_clock.outcome == Deadline.Outcome.LATE
    assert file_clock.lateness is None
    assert not file_clock.breached
    assert file_clock.policy_within == timedelta(hours=2)


# -- the draft's filing clock -------------------------------------------------------------


def open_file_clocks(report):
    return list(Deadline.objects.filter(report=report, kind="file", outcome="open"))


def test_the_drafts_file_clock_opens_with_discovered_at_and_follows_it(demo, now):
    # given a draft without a discovery time: no clock
    user = demo["operator-cii"]
    draft = report_create(user=user, now=now, data={"title": "SCADA 异常"})
    assert not Deadline.objects.filter(report=draft).exists()
    # when the discovery time is entered: open, 1 h (cii)
    first = now - timedelta(minutes=10)
    draft = report_update(
        user=user, pk=draft.pk, version=draft.version, data={"discovered_at": first}, now=now
    )
    [clock] = open_file_clocks(draft)
    assert (clock.opened_at, clock.due_at) == (first, first + timedelta(hours=1))
    assert clock.next_fire_at == first + timedelta(minutes=30)
    # when it is corrected: the same clock moves
    second = now - timedelta(minutes=40)
    draft = report_update(
        user=user, pk=draft.pk, version=draft.version, data={"discovered_at": second}, now=now
    )
    [moved] = open_file_clocks(draft)
    assert moved.pk == clock.pk
    assert (moved.opened_at, moved.due_at) == (second, second + timedelta(hours=1))
    # when CII is unticked (channel general): 4 h
    draft = report_update(
        user=user,
        pk=draft.pk,
        version=draft.version,
        data={"involves_cii": False, "cii_untick_reason": "办公网"},
        now=now,
    )
    [moved] = open_file_clocks(draft)
    assert (moved.policy_channel, moved.due_at) == ("general", second + timedelta(hours=4))
    # when declared 一般 and the guide agrees: closed as not required
    draft = report_update(
        user=user,
        pk=draft.pk,
        version=draft.version,
        data={"severity_declared": "general"},
        now=now,
    )
    assert open_file_clocks(draft) == []
    closed = Deadline.objects.get(report=draft, kind="file")
    assert closed.outcome == Deadline.Outcome.NOT_REQUIRED
    assert closed.next_fire_at is None


def test_declared_general_but_suggested_significant_keeps_the_clock(demo, now):
    report = create_and_submit(
        demo["operator-general"],
        now,
        level="general",
        indicators={"people_affected": 100_000},
    )
    assert report.severity_suggested == "significant"
    assert report.severity == "significant"
    assert report.deadlines.get(kind="file").outcome == Deadline.Outcome.MET


def test_suggested_serious_opens_the_forward_clock_even_if_declared_lower(demo, now):
    report = create_and_submit(
        demo["operator-general"],
        now,
        level="significant",
        indicators={"cii_total_outage_minutes": 60},
    )
    assert report.severity == "major"
    assert report.deadlines.get(kind="forward").due_at == now + timedelta(hours=1)


def test_submitting_twice_is_one_submission(demo, now):
    user = demo["operator-general"]
    report = create_and_submit(user, now, level="major")
    again = report_submit(user=user, pk=report.pk, now=now + timedelta(minutes=5))
    assert again.submitted_at == now
    assert report.deadlines.filter(kind="forward").count() == 1
    assert report.events.filter(kind="submitted").count() == 1
