from datetime import timedelta

from escalation.models import Deadline
from reports.services.drafting import report_create
from reports.services.submission import report_submit


def test_a_major_general_report_is_routed_and_clocked(demo, now):
    # given
    user = demo["operator-general"]
    draft = report_create(
        user=user,
        now=now,
        data={
            "title": "DDoS",
            "affected_systems": "web",
            "discovered_at": now - timedelta(minutes=30),
            "location": "广州",
            "category": "0208",
            "severity_declared": "major",
            "impact_description": "down",
            "measures_taken": "scrubbing",
        },
    )
    # when
    report = report_submit(user=user, pk=draft.pk, now=now)
    # then
    assert report.channel == "general"
    assert report.receiving_authority.code == "cac-440000"
    file_clock = report.deadlines.get(kind="file")
    assert file_clock.outcome == Deadline.Outcome.MET
    assert file_clock.due_at == now - timedelta(minutes=30) + timedelta(hours=4)
    forward = report.deadlines.get(kind="forward")
    assert forward.outcome == Deadline.Outcome.OPEN
    assert forward.statutory_due_at == now + timedelta(hours=1)
