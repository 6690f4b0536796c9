"""Issue 11 ("the statutory chain without holes"), the intake side: each numbered item of
the issue at its boundary. State is driven through the services; time is the `now` each
one is given (and time-machine where the sweep or the pages read the clock)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from notifications.models import Notification
from reports.models import Report, SummaryReport
from reports.services.drafting import report_create
from reports.services.followups import report_handling_ended, report_summary
from reports.services.submission import report_submit
from review.services.triage import report_grade

SUMMARY = {
    "cause": "弱口令",
    "emergency_measures": "隔离主机",
    "harm": "无",
    "accountability": "无",
    "rectification": "启用双因素",
    "lessons": "加强口令管理",
}


def data(now, **changes) -> dict:
    return {
        "title": "官网遭受拒绝服务攻击",
        "affected_systems": "门户网站",
        "discovered_at": now - timedelta(minutes=30),
        "location": "广州",
        "category": "0208",
        "severity_declared": "major",
        "impact_description": "无法访问",
        "measures_taken": "流量清洗",
        **changes,
    }


def submitted(demo, now, username="operator-general", **changes) -> Report:
    report = report_create(user=demo[username], data=data(now, **changes), now=now)
    return report_submit(user=demo[username], pk=report.pk, now=now)


def told(report, kind) -> set[str]:
    return set(
        Notification.objects.filter(report=report, kind=kind).values_list(
            "user__username", flat=True
        )
    )


def clocks(report, kind) -> list[tuple]:
    return list(
        report.deadlines.filter(kind=kind)
        .order_by("pk")
        .values_list("outcome", "opened_at", "statutory_due_at")
    )


# --- item 6: a 一般 report carries no clocks ----------------------------------------------


def test_the_end_of_handling_of_a_general_report_opens_no_summary_clock(demo, now):
    op = demo["operator-general"]
    report = submitted(demo, now, severity_declared="general")
    assert report.severity == "general"
    # when
    report_handling_ended(user=op, pk=report.pk, handling_ended_at=now, now=now)
    # then: recorded, but no clock and no "summary due" message
    report.refresh_from_db()
    assert report.handling_ended_at == now
    assert report.events.filter(kind="handling_ended").count() == 1
    assert not report.deadlines.exists()
    assert report.next_due_at is None
    assert told(report, "summary_due") == set()
    # a voluntary summary is still taken, against no clock
    report_summary(user=op, pk=report.pk, data=SUMMARY, now=now + timedelta(days=40))
    assert SummaryReport.objects.filter(report=report).exists()
    assert not report.deadlines.exists()


def test_a_significant_report_still_gets_its_summary_clock(demo, now):
    op = demo["operator-general"]
    report = submitted(demo, now, severity_declared="significant")
    report_handling_ended(user=op, pk=report.pk, handling_ended_at=now, now=now)
    # 10:00 on 25 Nov in Beijing: due at 24:00 on 25 Dec, Beijing (item 14)
    assert clocks(report, "summary") == [("open", now, datetime(2026, 12, 25, 16, 0, tzinfo=UTC))]


def test_a_reviewer_grading_a_general_report_up_after_handling_opens_the_summary_clock(demo, now):
    op, gd = demo["operator-general"], demo["reviewer-gd"]
    report = submitted(demo, now, severity_declared="general")
    ended = now + timedelta(hours=1)
    report_handling_ended(user=op, pk=report.pk, handling_ended_at=ended, now=ended)
    # when graded up a day later
    later = now + timedelta(days=1)
    report_grade(user=gd, pk=report.pk, severity="significant", reason="影响较大", now=later)
    # then the clock runs from the end of handling, not from the grade
    assert clocks(report, "summary") == [("open", ended, datetime(2026, 12, 25, 16, 0, tzinfo=UTC))]
    # and graded back to 一般, it is no longer required
    report_grade(user=gd, pk=report.pk, severity="general", reason="复核", now=later)
    assert [c[0] for c in clocks(report, "summary")] == ["not_required"]
    assert Report.objects.get(pk=report.pk).next_due_at is None


# --- item 10: the reference year is the Beijing date's year --------------------------------


@pytest.mark.parametrize(
    ("utc", "year"),
    [
        # 31 Dec 16:00 UTC is 1 Jan 00:00 in Beijing: already the new year
        (datetime(2026, 12, 31, 16, 0, tzinfo=UTC), 2027),
        (datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC), 2026),
    ],
)
def test_the_reference_carries_the_year_of_the_beijing_date(demo, utc, year):
    with time_machine.travel(utc, tick=False):
        report = report_create(
            user=demo["operator-general"], data=data(utc, discovered_at=utc), now=None
        )
    assert report.reference.startswith(f"CSIR-{year}-")
    assert Report.objects.get(pk=report.pk).reference == report.reference


# --- item 17: Art. 13 through the API ------------------------------------------------------


def _api_body(now) -> dict:
    return {
        "title": "门户网站被篡改",
        "discovered_at": (now - timedelta(minutes=10)).isoformat(),
        "severity_declared": "significant",
    }


def test_the_api_refuses_a_report_involving_state_secrets_with_the_web_guards_words(
    demo, api_for, web_for
):
    from django.utils import timezone

    from reports.constants import STATE_SECRETS_REFUSAL

    client = api_for("operator-general")
    before = (Report.objects.count(), Report.history.count())
    # when
    response = client.post(
        "/api/v1/reports/",
        {**_api_body(timezone.now()), "involves_state_secrets": True},
        format="json",
        HTTP_IDEMPOTENCY_KEY="secret-1",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    # then: 400 on the field, and nothing is stored (not even the idempotency key)
    assert response.status_code == 400
    message = response.json()["involves_state_secrets"][0]
    assert "国家秘密" in message or "state secrets" in message
    assert (Report.objects.count(), Report.history.count()) == before
    # the same words as the web page's guard
    page = web_for("operator-general").post(
        "/reports/new/", {"involves_state_secrets": "yes"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert page.status_code == 302
    shown = web_for("operator-general").get(page.url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert message in shown.content.decode()
    with translation.override("zh-hans"):
        assert message == str(STATE_SECRETS_REFUSAL)
    assert (Report.objects.count(), Report.history.count()) == before
    # false (or absent) creates the draft as before, and a retry with the same key too
    response = client.post(
        "/api/v1/reports/",
        {**_api_body(timezone.now()), "involves_state_secrets": False},
        format="json",
        HTTP_IDEMPOTENCY_KEY="secret-1",
    )
    assert response.status_code == 201
    assert "involves_state_secrets" not in response.json()


def test_a_required_draft_asks_the_state_secret_question_too(demo, api_for, web_for, now):
    from review.services.requests import report_require

    org = demo["operator-general"].memberships.get().organization
    report = report_require(user=demo["reviewer-gd"], organization=org, title="网站被篡改")
    version = Report.objects.get(pk=report.pk).version
    # API: editing or submitting it with `true` is refused, and nothing changes
    client = api_for("operator-general")
    for path, body in (
        (f"/api/v1/reports/{report.pk}/", {"version": version, "title": "机密"}),
        (f"/api/v1/reports/{report.pk}/submit/", {}),
    ):
        method = client.patch if path.endswith(f"{report.pk}/") else client.post
        response = method(path, {**body, "involves_state_secrets": True}, format="json")
        assert response.status_code == 400, response.content
        assert "involves_state_secrets" in response.json()
    fresh = Report.objects.get(pk=report.pk)
    assert (fresh.title, fresh.version, fresh.status) == ("网站被篡改", version, "draft")
    # web: the edit page asks the question first
    web = web_for("operator-general")
    response = web.get(f"/reports/{report.pk}/edit/")
    assert response.status_code == 302 and response.url == f"/reports/{report.pk}/state-secrets/"
    question = web.get(response.url)
    assert question.status_code == 200 and 'name="involves_state_secrets"' in (
        question.content.decode()
    )
    assert web.post(response.url, {"involves_state_secrets": "yes"}).url == (
        "/reports/new/confidential/"
    )
    assert web.get(f"/reports/{report.pk}/edit/").status_code == 302  # still not answered "no"
    assert web.post(response.url, {"involves_state_secrets": "no"}).url == (
        f"/reports/{report.pk}/edit/"
    )
    assert web.get(f"/reports/{report.pk}/edit/").status_code == 200


# --- item 18: a service provider's new draft notifies the operator's reporters -------------


def test_a_providers_new_draft_notifies_the_operators_reporters_at_once(demo, now):
    from django.contrib.auth import get_user_model

    from accounts.services import provider_grant

    org = demo["operator-general"].memberships.get().organization
    provider = get_user_model().objects.create_user("provider-soc", password="x")
    provider_grant(
        user=demo["operator-general"], organization_id=org.pk, provider_username="provider-soc"
    )
    # when the provider drafts
    report = report_create(user=provider, data=data(now, title="钓鱼邮件"), now=now)
    # then the operator's reporters are told at once, with the reference; the provider not
    (note,) = Notification.objects.filter(report=report, kind="drafted_by_provider")
    assert note.user == demo["operator-general"] and note.created_at == now
    assert report.reference in note.message and "provider-soc" in note.message
    # the operator's own drafts tell nobody
    own = report_create(user=demo["operator-general"], data=data(now), now=now)
    assert not Notification.objects.filter(report=own).exists()


# --- item 19: the summary report goes back through the original channel --------------------


def test_the_summary_report_notifies_the_receiving_authority_and_its_copies(demo, now):
    from review.services.forwarding import report_forward

    op = demo["operator-cii"]
    report = submitted(demo, now, username="operator-cii", suspected_crime=True)
    assert report.channel == "cii" and report.copied_to.exists()
    report_forward(user=demo["reviewer-energy"], pk=report.pk, now=now)
    report_handling_ended(user=op, pk=report.pk, handling_ended_at=now, now=now)
    # when
    report_summary(user=op, pk=report.pk, data=SUMMARY, now=now + timedelta(days=3))
    # then the protection department, the public-security copy and the national tier
    told_ = told(report, "summary_filed")
    assert {"reviewer-energy", "police-liaison", "national"} <= told_
    assert "operator-cii" not in told_


def test_a_summary_at_the_receiving_tier_tells_the_receiving_authority(demo, now):
    op = demo["operator-general"]
    report = submitted(demo, now, severity_declared="significant")
    report_handling_ended(user=op, pk=report.pk, handling_ended_at=now, now=now)
    report_summary(user=op, pk=report.pk, data=SUMMARY, now=now)
    assert told(report, "summary_filed") == {"reviewer-gd"}


# --- item 15: 补报 and 续报 after closure --------------------------------------------------


def test_a_supplement_after_closure_is_taken_shown_and_tells_the_authority(demo, now, web_for):
    from reports.services.followups import report_followup
    from review.services.triage import report_claim, report_close

    op, gd = demo["operator-general"], demo["reviewer-gd"]
    report = submitted(demo, now, severity_declared="significant")
    report_claim(user=gd, pk=report.pk, now=now)
    report_close(user=gd, pk=report.pk, reason="已处置", now=now + timedelta(hours=1))
    later = now + timedelta(days=5)
    # when
    followup = report_followup(
        user=op,
        pk=report.pk,
        data={"kind": "supplement", "body": "补充攻击线索", "attack_clues": "境外 IP"},
        now=later,
    )
    # then: on the report, still closed, and the authority is told
    report.refresh_from_db()
    assert report.status == "closed" and report.attack_clues == "境外 IP"
    assert followup.report_id == report.pk and followup.created_at == later
    event = report.events.get(kind="followup")
    assert event.at == later and "补充攻击线索" in event.note
    assert told(report, "followup_filed") == {"reviewer-gd"}
    page = web_for("reviewer-gd").get(f"/reports/{report.pk}/").content.decode()
    assert "补充攻击线索" in page
    # and a progress report too
    report_followup(user=op, pk=report.pk, data={"kind": "progress", "body": "已恢复"}, now=later)
    assert report.followups.count() == 2


def test_the_api_offers_followups_on_a_closed_report(demo, now, api_for):
    from review.services.triage import report_close

    report = submitted(demo, now, severity_declared="significant")
    report_close(user=demo["reviewer-gd"], pk=report.pk, reason="已处置", now=now)
    client = api_for("operator-general")
    assert "followups" in client.get(f"/api/v1/reports/{report.pk}/").json()["actions"]
    response = client.post(
        f"/api/v1/reports/{report.pk}/followups/",
        {"kind": "progress", "body": "系统已全部恢复"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = client.get(f"/api/v1/reports/{report.pk}/").json()
    assert body["status"] == "closed"
    assert [f["body"] for f in body["followups"]] == ["系统已全部恢复"]


def test_a_followup_after_closure_that_makes_it_serious_sends_it_back_to_be_forwarded(demo, now):
    from reports.services.followups import report_followup
    from review.services.triage import report_close

    report = submitted(demo, now, severity_declared="significant")
    report_close(user=demo["reviewer-gd"], pk=report.pk, reason="已处置", now=now)
    later = now + timedelta(days=1)
    report_followup(
        user=demo["operator-general"],
        pk=report.pk,
        data={"kind": "supplement", "body": "影响扩大", "severity_declared": "major"},
        now=later,
    )
    report.refresh_from_db()
    assert (report.status, report.severity, report.tier) == ("submitted", "major", "receiving")
    clock = report.deadlines.get(kind="forward")
    assert clock.outcome == "open" and clock.opened_at == later


# --- item 13: backdating leaves a trace -----------------------------------------------------


def _edit(user, report, now, **fields):
    from reports.services.drafting import report_update

    version = Report.objects.get(pk=report.pk).version
    return report_update(user=user, pk=report.pk, data=fields, version=version, now=now)


def test_moving_discovery_later_after_a_recorded_breach_does_not_erase_it(demo, now):
    from escalation.services.engine import deadlines_sweep

    op = demo["operator-general"]
    discovered = now - timedelta(hours=5)  # general channel: the limit passed an hour ago
    report = report_create(user=op, data=data(now, discovered_at=discovered), now=now)
    with time_machine.travel(now + timedelta(seconds=1), tick=False):
        deadlines_sweep()
    clock = report.deadlines.get(kind="file")
    limit, recorded = clock.statutory_due_at, clock.lateness
    assert limit == discovered + timedelta(hours=4) and recorded is not None
    # when the operator moves discovery to 30 minutes ago
    _edit(op, report, now + timedelta(minutes=1), discovered_at=now - timedelta(minutes=30))
    # then the breach stands, on the clock and on the timeline
    clock.refresh_from_db()
    assert (clock.outcome, clock.statutory_due_at, clock.lateness) == ("open", limit, recorded)
    (event,) = report.events.filter(kind="discovery_changed")
    assert event.actor == op and event.at == now + timedelta(minutes=1)
    assert "2026-11-25 05:00:00" in event.note  # the old discovery, Beijing time
    assert "2026-11-25 09:30:00" in event.note  # the new one
    with time_machine.travel(now + timedelta(hours=2), tick=False):
        deadlines_sweep()
    assert report.events.filter(kind="deadline_breached").count() == 1
    # submitting now is late, and needs its reason
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        report_submit(user=op, pk=report.pk, now=now + timedelta(minutes=2))
    assert "late_reason" in exc.value.message_dict
    report_submit(
        user=op, pk=report.pk, data={"late_reason": "误填"}, now=now + timedelta(minutes=2)
    )
    clock.refresh_from_db()
    assert clock.outcome == "late" and clock.lateness == now + timedelta(minutes=2) - limit


def test_a_breach_not_yet_swept_is_not_erased_either(demo, now):
    op = demo["operator-general"]
    discovered = now - timedelta(hours=5)
    report = report_create(user=op, data=data(now, discovered_at=discovered), now=now)
    _edit(op, report, now, discovered_at=now - timedelta(minutes=10))
    clock = report.deadlines.get(kind="file")
    assert clock.statutory_due_at == discovered + timedelta(hours=4)
    assert clock.is_breached(now)


def test_moving_discovery_earlier_after_a_breach_makes_it_worse(demo, now):
    op = demo["operator-general"]
    discovered = now - timedelta(hours=5)
    report = report_create(user=op, data=data(now, discovered_at=discovered), now=now)
    _edit(op, report, now, discovered_at=now - timedelta(hours=6))
    clock = report.deadlines.get(kind="file")
    assert clock.statutory_due_at == now - timedelta(hours=2)


def test_every_change_of_discovery_once_the_clock_runs_is_on_the_timeline(demo, now):
    op = demo["operator-general"]
    report = report_create(user=op, data=data(now, discovered_at=None), now=now)
    # setting it the first time opens the clock: no change to show yet
    _edit(op, report, now, discovered_at=now - timedelta(minutes=30))
    assert not report.events.filter(kind="discovery_changed").exists()
    # then every change is shown, in order, with the limit it leads to
    _edit(op, report, now + timedelta(minutes=1), discovered_at=now - timedelta(minutes=10))
    _edit(op, report, now + timedelta(minutes=2), discovered_at=now - timedelta(minutes=20))
    _edit(op, report, now + timedelta(minutes=3), title="只改标题")
    notes = list(report.events.filter(kind="discovery_changed").values_list("note", flat=True))
    assert len(notes) == 2
    assert "13:50:00" in notes[0]  # the limit after the first move (09:50 + 4 h, Beijing)
    clock = report.deadlines.get(kind="file", outcome="open")
    assert clock.statutory_due_at == now - timedelta(minutes=20) + timedelta(hours=4)


# --- item 5: CII by the incident, for an organisation with no CII sector on record ---------


def test_an_organisation_without_a_sector_names_the_cii_sector_and_is_routed_there(demo, now):
    op = demo["operator-general"]
    assert op.memberships.get().organization.sector_id is None
    # ticking CII without naming the sector is refused on the sector field
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        report_create(user=op, data=data(now, involves_cii=True), now=now)
    assert "cii_sector" in exc.value.message_dict
    # when it names the sector
    report = submitted(demo, now, involves_cii=True, cii_sector="finance")
    # then the CII channel, that sector's protection department, the public-security copy
    assert report.channel == "cii" and report.cii_sector_id == "finance"
    assert report.receiving_authority.code == "pd-finance"
    assert set(report.copied_to.values_list("code", flat=True)) == {"ps-440000"}
    clock = report.deadlines.get(kind="forward")  # serious: the CII 30 minutes
    assert clock.statutory_due_at == now + timedelta(minutes=30)


def test_a_cii_sector_is_refused_without_cii_or_against_the_sector_on_record(demo, now):
    from django.core.exceptions import ValidationError

    for username, changes in (
        ("operator-general", {"involves_cii": False, "cii_sector": "finance"}),
        ("operator-cii", {"involves_cii": True, "cii_sector": "finance"}),  # energy on record
    ):
        with pytest.raises(ValidationError) as exc:
            report_create(user=demo[username], data=data(now, **changes), now=now)
        assert "cii_sector" in exc.value.message_dict
    # the sector on record, named again, is fine
    same = report_create(user=demo["operator-cii"], data=data(now, cii_sector="energy"), now=now)
    assert same.receiving_authority.code == "pd-energy"


def test_the_api_takes_and_shows_cii_sector(demo, api_for):
    from django.utils import timezone

    client = api_for("operator-general")
    body = {**_api_body(timezone.now()), "involves_cii": True, "cii_sector": "transport"}
    response = client.post("/api/v1/reports/", body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["cii_sector"] == "transport" and created["channel"] == "cii"
    assert created["receiving_authority"]["name"].startswith("交通")
    bad = client.post("/api/v1/reports/", {**body, "cii_sector": "nonsense"}, format="json")
    assert bad.status_code == 400 and "cii_sector" in bad.json()
    missing = client.post("/api/v1/reports/", {**body, "cii_sector": None}, format="json")
    assert missing.status_code == 400 and "cii_sector" in missing.json()


def test_the_form_offers_the_cii_sector_only_to_an_organisation_without_one(demo, web_for, now):
    general = report_create(user=demo["operator-general"], data={}, now=now)
    cii = report_create(user=demo["operator-cii"], data={}, now=now)
    page = web_for("operator-general").get(f"/reports/{general.pk}/edit/").content.decode()
    assert 'name="cii_sector"' in page
    page = web_for("operator-cii").get(f"/reports/{cii.pk}/edit/").content.decode()
    assert 'name="cii_sector"' not in page


# --- item 14: Art. 8's 30 days, counted by days as the Civil Code counts them ------------


@pytest.mark.parametrize(
    ("ended", "due"),
    [
        # 23:59:59 on 25 Nov in Beijing: days 26 Nov … 25 Dec, until 24:00 on 25 Dec
        (datetime(2026, 11, 25, 15, 59, 59, tzinfo=UTC), datetime(2026, 12, 25, 16, 0, tzinfo=UTC)),
        # 00:00 on 26 Nov in Beijing: one day more
        (datetime(2026, 11, 25, 16, 0, tzinfo=UTC), datetime(2026, 12, 26, 16, 0, tzinfo=UTC)),
    ],
)
def test_the_summary_is_due_at_24_00_beijing_of_the_30th_day(demo, ended, due):
    from escalation.services.engine import deadlines_sweep

    op = demo["operator-general"]
    start = ended - timedelta(hours=1)
    report = submitted(demo, start, severity_declared="significant")
    report_handling_ended(user=op, pk=report.pk, handling_ended_at=ended, now=ended)
    clock = report.deadlines.get(kind="summary")
    assert clock.statutory_due_at == clock.due_at == due
    # the message and the reminders say the date and the time (Beijing)
    shown = timezone.localtime(due).strftime("%Y-%m-%d %H:%M")
    assert shown.endswith("00:00")
    (note,) = Notification.objects.filter(report=report, kind="summary_due")
    assert shown in note.message
    with time_machine.travel(due - timedelta(days=7), tick=False):
        deadlines_sweep()
    (reminder,) = Notification.objects.filter(report=report, kind="reminder")
    assert shown in reminder.message
    # exactly at 24:00 it is on time; a second later it is late by that second
    report_summary(user=op, pk=report.pk, data=SUMMARY, now=due)
    clock.refresh_from_db()
    assert (clock.outcome, clock.lateness) == ("met", None)


def test_a_summary_a_second_after_24_00_is_late(demo, now):
    op = demo["operator-general"]
    report = submitted(demo, now, severity_declared="significant")
    report_handling_ended(user=op, pk=report.pk, handling_ended_at=now, now=now)
    due = datetime(2026, 12, 25, 16, 0, tzinfo=UTC)
    report_summary(user=op, pk=report.pk, data=SUMMARY, now=due + timedelta(seconds=1))
    clock = report.deadlines.get(kind="summary")
    assert clock.outcome == "late" and clock.lateness == timedelta(seconds=1)


# --- item 16: Art. 11 after submission -------------------------------------------------------


def test_a_followup_adds_the_emergency_plan_the_measures_and_the_harm_they_reduced(
    demo, now, api_for, web_for
):
    report = submitted(demo, now, severity_declared="significant")
    client = api_for("operator-general")
    response = client.post(
        f"/api/v1/reports/{report.pk}/followups/",
        {
            "kind": "progress",
            "body": "应急处置情况",
            "emergency_plan": "启动二级应急预案",
            "protective_measures": "隔离受感染主机，切换备用线路",
            "harm_reduced": "避免约 2 万用户数据外泄",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["harm_reduced"] == "避免约 2 万用户数据外泄"
    body = client.get(f"/api/v1/reports/{report.pk}/").json()
    assert body["emergency_plan"] == "启动二级应急预案"
    assert body["protective_measures"] == "隔离受感染主机，切换备用线路"
    assert body["harm_reduced"] == "避免约 2 万用户数据外泄"
    page = web_for("reviewer-gd").get(f"/reports/{report.pk}/").content.decode()
    assert "避免约 2 万用户数据外泄" in page
    history = Report.objects.get(pk=report.pk).history.latest()
    assert history.harm_reduced == "避免约 2 万用户数据外泄"


def test_the_web_followup_form_takes_the_art_11_items(demo, now, web_for):
    report = submitted(demo, now, severity_declared="significant")
    web = web_for("operator-general")
    page = web.get(f"/reports/{report.pk}/").content.decode()
    assert 'name="harm_reduced"' in page and 'name="emergency_plan"' in page
    response = web.post(
        f"/reports/{report.pk}/actions/followup/",
        {
            "version": Report.objects.get(pk=report.pk).version,
            "kind": "progress",
            "body": "续报",
            "harm_reduced": "减少损失约 50 万元",
        },
    )
    assert response.status_code in (200, 302)
    assert Report.objects.get(pk=report.pk).harm_reduced == "减少损失约 50 万元"
