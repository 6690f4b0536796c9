"""When a report's clocks run (docs/RULES.md §2): the filing clock from discovery, the
forward clock while a serious report is at the receiving tier, and the missed report (漏报)
a breached filing clock means for a report an authority required. The clocks themselves —
their instants, reminders and outcomes — are escalation's (`escalation.services.clocks`)."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escalation.constants import Kind, Outcome
from escalation.services.clocks import deadline_cancel, deadline_meet, deadline_open
from notifications.models import Notification
from notifications.services import notify_users

from ..constants import REPORTABLE, Status, Tier
from ..events import report_event_create
from ..models import ReportEvent, SummaryReport
from .recipients import reporters


def must_file(report) -> bool:
    """Whether the operator owes the report: its level is 较大 or above, or an authority
    required it (a required report cannot be talked out of its clock by declaring 一般)."""
    return report.severity in REPORTABLE or bool(report.requested_by_id)


def file_clock_needed(report) -> bool:
    """The filing clock runs as soon as the draft has `discovered_at`, unless the operator
    has declared 一般 and the grading guide agrees (no duty: docs/RULES.md §1) — never for a
    report an authority required."""
    if not (report.discovered_at or report.requested_at):
        return False
    return must_file(report) or not report.severity_declared


def file_clock_start(report) -> datetime:
    """Discovery; for a report an authority required, no later than the requirement."""
    starts = [t for t in (report.discovered_at, report.requested_at) if t]
    return min(starts)


NO_DUTY = gettext_lazy("Graded 一般 (general): no duty to report.")


def file_clock_changes(report, now: datetime) -> dict:
    """What `sync_file_clock` does, as arguments of `deadlines_apply`."""
    if file_clock_needed(report):
        return {"open": ((Kind.FILE, file_clock_start(report)),)}
    return {"cancel": {Kind.FILE: str(NO_DUTY)}}


def sync_file_clock(report, now: datetime) -> None:
    if file_clock_needed(report):
        deadline_open(report=report, kind=Kind.FILE, opened_at=file_clock_start(report), now=now)
    else:
        deadline_cancel(
            report=report,
            kind=Kind.FILE,
            at=now,
            reason=str(NO_DUTY),
        )


def cancel_file_clock(report, now: datetime, reason: str) -> None:
    deadline_cancel(report=report, kind=Kind.FILE, at=now, reason=reason)


def sync_forward_clock(report, now: datetime, reason: str, *, may_close: bool = True) -> None:
    """A report that becomes serious at the receiving tier opens the forward clock at that
    moment (unless it runs); one that stops being serious closes it as not required — only
    by the authority's own grade (`may_close` False: an operator's follow-up never does).
    A forward clock closed and needed again reopens with its first instants, never a fresh
    window (docs/DECISIONS.md, "Clocks")."""
    if report.tier != Tier.RECEIVING or report.status == Status.DRAFT:
        return
    if report.is_serious:
        first = report.deadlines.filter(kind=Kind.FORWARD).order_by("opened_at", "pk").first()
        opened_at = first.opened_at if first is not None else now
        deadline_open(report=report, kind=Kind.FORWARD, opened_at=opened_at, now=now)
    elif may_close:
        deadline_cancel(report=report, kind=Kind.FORWARD, at=now, reason=reason)


def report_mark_missed(*, report, now: datetime) -> None:
    """Its filing clock breached: a report an authority required and that is still a draft
    is recorded as a missed report (漏报). Called by the escalation engine."""
    if report.status == Status.DRAFT and report.requested_by_id:
        report.missed_at = now
        report.save(update_fields=["missed_at"])


def sync_summary_clock(report, now: datetime, *, may_close: bool = True) -> None:
    """The 30-day summary clock runs from the end of handling of a report that carries a
    duty (较大 or above): a 一般 report carries no clocks. A grade up opens it (from the end
    of handling, never later); a reviewer's grade down to 一般 closes it as not required
    (`may_close` False: an operator's follow-up never closes it)."""
    if report.handling_ended_at is None:
        return
    if SummaryReport.objects.filter(report=report).exists():
        return
    if report.severity in REPORTABLE:
        deadline_open(report=report, kind=Kind.SUMMARY, opened_at=report.handling_ended_at, now=now)
    elif may_close:
        deadline_cancel(
            report=report,
            kind=Kind.SUMMARY,
            at=now,
            reason=_("Graded 一般 (general): no summary report is due."),
        )


def had_file_clock(report) -> bool:
    return report.pk is not None and report.deadlines.filter(kind=Kind.FILE).exists()


def record_discovery_change(report, before, *, had_clock: bool, user, now: datetime) -> None:
    """Backdating leaves a trace: a change of `discovered_at` once a filing clock has opened
    goes on the timeline, with the limit it leads to (a breach already recorded stands)."""
    if not had_clock or before == report.discovered_at:
        return
    clock = report.deadlines.filter(kind=Kind.FILE).order_by("-opened_at", "-pk").first()

    def show(at):
        return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S") if at else "—"

    note = _("Discovery changed from %(before)s to %(after)s.") % {
        "before": show(before),
        "after": show(report.discovered_at),
    }
    if clock is not None and clock.outcome == Outcome.OPEN:
        note += " " + _("Filing limit: %(due)s.") % {"due": show(clock.statutory_due_at)}
        if clock.lateness is not None or clock.is_breached(now):
            note += " " + _("The breach of the filing limit stands.")
    report_event_create(
        report=report, kind=ReportEvent.Kind.DISCOVERY_CHANGED, at=now, actor=user, note=note
    )


def record_filing_if_owed(report, now: datetime):
    """One rule for a level that rises after submission, on every path (a reviewer's grade,
    the operator's follow-up; a draft saved without a level is the same case): a report that
    now carries a duty, and whose filing was never judged (a voluntary 一般 report, or a
    draft whose clock was cancelled when it was declared 一般), gets its filing clock judged
    as of its submission, against the same statutory limit as any filing. Only when that
    brands the filing legally late (迟报) is the operator asked for the reason. Returns the
    filing clock it judged, or None."""
    if report.status == Status.DRAFT or not must_file(report):
        return None
    judged = report.deadlines.filter(kind=Kind.FILE).exclude(outcome=Outcome.NOT_REQUIRED)
    if judged.exists():
        return None
    deadline_open(report=report, kind=Kind.FILE, opened_at=file_clock_start(report), now=now)
    clock = deadline_meet(report=report, kind=Kind.FILE, at=report.submitted_at)
    if clock is not None and clock.lateness is not None and not report.late_reason.strip():
        notify_users(
            users=reporters(report),
            kind=Notification.Kind.INFO_REQUESTED,
            report=report,
            message=_(
                "%(ref)s is now graded %(level)s: its filing at %(at)s was after the statutory "
                "limit of %(due)s. Give the reason for the delay in a follow-up."
            )
            % {
                "ref": report.reference,
                "level": report.get_severity_display(),
                "at": timezone.localtime(report.submitted_at).strftime("%Y-%m-%d %H:%M"),
                "due": timezone.localtime(clock.statutory_due_at).strftime("%Y-%m-%d %H:%M"),
            },
            now=now,
        )
    return clock
