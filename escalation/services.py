"""The clock services. `reports` calls `deadline_open`, `deadline_meet` and `deadline_cancel`
(imported inside its functions: dependencies run escalation → reports)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Deadline, EscalationPolicy
from .rules import deadline_times, lateness


def _open_clock(report, kind):
    return (
        Deadline.objects.select_for_update()
        .filter(report=report, kind=kind, outcome=Deadline.Outcome.OPEN)
        .first()
    )


def _sync_next_due(report) -> None:
    """Keep `Report.next_due_at` (the earliest open clock, which the queues sort on) equal
    to what the clock table says. A derived column, outside the report's history."""
    from django.db.models import Min

    from reports.models import Report

    value = Deadline.objects.filter(report_id=report.pk, outcome=Deadline.Outcome.OPEN).aggregate(
        at=Min("due_at")
    )["at"]
    report.next_due_at = value
    Report.objects.filter(pk=report.pk).update(next_due_at=value)


def _pending_fire(deadline: Deadline) -> datetime | None:
    """The next reminder, automatic action or statutory breach still to act on, from the
    instants stored on the row (a clock keeps the values it opened with)."""
    candidates = [datetime.fromisoformat(t) for t in deadline.remind_at][deadline.reminders_sent :]
    if deadline.kind == Deadline.Kind.FORWARD and deadline.act_at and deadline.acted_at is None:
        candidates.append(deadline.act_at)
    if deadline.lateness is None:
        candidates.append(deadline.statutory_due_at)
    return min(candidates) if candidates else None


def _set_times(deadline: Deadline, *, opened_at, policy, now, due_at=None) -> None:
    times = deadline_times(deadline.kind, opened_at, policy, due_at)
    deadline.opened_at = opened_at
    deadline.statutory_due_at = times.statutory_due_at
    deadline.due_at = times.due_at
    deadline.act_at = times.act_at
    deadline.remind_at = [t.isoformat() for t in times.remind_at]
    # reminders whose time has already passed when the clock opens are not sent late
    deadline.reminders_sent = sum(1 for t in times.remind_at if t <= now)
    deadline.policy_channel = policy.channel
    deadline.policy_within = (
        policy.file_within if deadline.kind == "file" else policy.forward_within
    )
    deadline.policy_margin = policy.auto_forward_margin if deadline.kind == "forward" else None
    deadline.lateness = None
    # already overdue when opened: due now, so the sweep acts at once
    deadline.next_fire_at = max(_pending_fire(deadline), now) if _pending_fire(deadline) else None


def _schedule(deadline: Deadline, now: datetime) -> None:
    """An ETA task for the next instant, sent after commit; only within the broker's
    visibility timeout (STYLE.md B6: never a far ETA). The sweep is the safety net."""
    from django.conf import settings

    from config.celery import enqueue_on_commit

    from .tasks import deadline_act_task

    if deadline.next_fire_at is None:
        return
    if deadline.next_fire_at - now > timedelta(seconds=settings.ESCALATION_ETA_CAP_SECONDS):
        return
    enqueue_on_commit(deadline_act_task, deadline.pk, eta=deadline.next_fire_at)


@transaction.atomic(savepoint=False)  # called inside the report services' transaction
def deadline_open(
    *, report, kind: str, opened_at: datetime, now: datetime | None = None, due_at=None
) -> Deadline:
    """Open a clock, or return the one already open. A draft's filing clock follows edits
    of `discovered_at` and of the channel; otherwise a clock keeps the values it opened with."""
    now = now or timezone.now()
    existing = None if kind == "info_request" else _open_clock(report, kind)
    if existing is not None:
        unchanged = existing.opened_at == opened_at and existing.policy_channel == report.channel
        if unchanged or kind != "file":
            return existing
        deadline = existing
    else:
        deadline = Deadline(report=report, kind=kind)
    policy = EscalationPolicy.snapshot_for(report.channel)
    _set_times(deadline, opened_at=opened_at, policy=policy, now=now, due_at=due_at)
    deadline.save()
    _sync_next_due(report)
    _schedule(deadline, now)
    return deadline


@transaction.atomic(savepoint=False)  # called inside the report services' transaction
def deadline_meet(*, report, kind: str, at: datetime) -> Deadline | None:
    deadline = _open_clock(report, kind)
    if deadline is None:
        return None
    deadline.met_at = at
    deadline.outcome = Deadline.Outcome.MET if at <= deadline.due_at else Deadline.Outcome.LATE
    deadline.lateness = lateness(at, deadline.statutory_due_at)
    deadline.next_fire_at = None
    deadline.save()
    _sync_next_due(report)
    return deadline


@transaction.atomic(savepoint=False)  # called inside the report services' transaction
def deadline_cancel(*, report, kind: str, at: datetime, reason: str) -> Deadline | None:
    deadline = _open_clock(report, kind)
    if deadline is None:
        return None
    deadline.outcome = Deadline.Outcome.NOT_REQUIRED
    deadline.closed_reason = reason
    deadline.acted_at = at
    deadline.next_fire_at = None
    deadline.save()
    _sync_next_due(report)
    return deadline


def _reminder_recipients(deadline: Deadline) -> list:
    from accounts.models import Membership

    report = deadline.report
    if deadline.kind == Deadline.Kind.FORWARD:
        if report.assignee_id:
            return [report.assignee]
        lookup = {"role": "reviewer", "authority_id": report.receiving_authority_id}
    else:
        lookup = {"role": "reporter", "organization_id": report.organization_id}
    return [m.user for m in Membership.objects.filter(**lookup).select_related("user")]


def _fmt(at: datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")


def _outage_cause(scheduled: datetime, now: datetime, last_sweep: datetime | None) -> str:
    """Why an act came late, as far as the portal can tell: no sweep ran between the
    scheduled instant and now."""
    from django.conf import settings

    grace = timedelta(seconds=2 * settings.ESCALATION_SWEEP_SECONDS + 1)
    if now - scheduled <= grace:
        return ""
    since = last_sweep if last_sweep and last_sweep <= scheduled else scheduled
    return _("Workers unavailable from %(start)s to %(end)s (acted %(lag)s s after schedule).") % {
        "start": _fmt(since),
        "end": _fmt(now),
        "lag": int((now - scheduled).total_seconds()),
    }


def deadline_act(
    *, deadline_id: int, now: datetime | None = None, last_sweep: datetime | None = None
) -> None:
    """The idempotent core: act on a due clock — reminders (once each), the automatic
    forward, the statutory breach — then set the next instant or NULL. The row lock (SKIP
    LOCKED) and the state on the row make a duplicate, a retry or a concurrent sweep a no-op."""
    from reports.events import report_event_create
    from reports.services import report_forward

    now = now or timezone.now()
    with transaction.atomic():
        deadline = (
            Deadline.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("report", "report__assignee")
            .filter(pk=deadline_id, next_fire_at__lte=now)
            .first()
        )
        if deadline is None:
            return
        if deadline.outcome != Deadline.Outcome.OPEN:
            deadline.next_fire_at = None
            deadline.save(update_fields=["next_fire_at"])
            return
        report = deadline.report
        scheduled = deadline.next_fire_at
        cause = _outage_cause(scheduled, now, last_sweep)

        remind = [datetime.fromisoformat(t) for t in deadline.remind_at]
        due_reminders = [t for t in remind[deadline.reminders_sent :] if t <= now]
        acting = (
            deadline.kind == Deadline.Kind.FORWARD
            and deadline.act_at is not None
            and deadline.act_at <= now
            and deadline.acted_at is None
        )
        if due_reminders and not acting:
            left = timezone.localtime(deadline.due_at).strftime("%H:%M")
            message = _("Reminder: %(clock)s for %(ref)s is due at %(due)s.") % {
                "clock": deadline.get_kind_display(),
                "ref": report.reference,
                "due": left,
            }
            notify_users(
                users=_reminder_recipients(deadline),
                kind="reminder",
                report=report,
                message=message,
                now=now,
            )
            report_event_create(
                report=report, kind="reminded", at=now, automatic=True, note=message
            )
        deadline.reminders_sent += len(due_reminders)

        if acting:
            deadline.acted_at = now
            deadline.save()
            note = _("Forwarded automatically: nobody forwarded it by %(act)s.") % {
                "act": _fmt(deadline.act_at)
            }
            if cause:
                note = f"{note} {cause}"
            report_forward(user=None, pk=report.pk, automatic=True, now=now, note=note)
            deadline.refresh_from_db()
            if cause and deadline.outcome in (Deadline.Outcome.LATE, Deadline.Outcome.MET):
                deadline.late_cause = cause

        breached = deadline.outcome == Deadline.Outcome.OPEN and now > deadline.statutory_due_at
        if breached and deadline.lateness is None:
            deadline.lateness = now - deadline.statutory_due_at
            deadline.late_cause = deadline.late_cause or cause
            report_event_create(
                report=report,
                kind="deadline_breached",
                at=now,
                automatic=True,
                note=_("%(clock)s: statutory limit passed at %(due)s")
                % {
                    "clock": deadline.get_kind_display(),
                    "due": _fmt(deadline.statutory_due_at),
                },
            )
            if deadline.kind == "file" and report.status == "draft" and report.requested_by_id:
                report.missed_at = now  # 漏报: required by an authority, not filed in time
                report.save(update_fields=["missed_at"])
        deadline.next_fire_at = (
            _pending_fire(deadline) if deadline.outcome == Deadline.Outcome.OPEN else None
        )
        deadline.save()
        _schedule(deadline, now)


def deadlines_sweep(*, now: datetime | None = None, batch: int = 200) -> int:
    """The safety net (beat, every ESCALATION_SWEEP_SECONDS): act on every due clock, record
    the heartbeat. Returns how many clocks were acted on."""
    from .models import SweepHeartbeat
    from .selectors import deadlines_due

    now = now or timezone.now()
    with transaction.atomic():
        beat, _created = SweepHeartbeat.objects.select_for_update().get_or_create(pk=1)
        last_sweep = beat.last_run_at
        beat.last_run_at = now
        beat.save(update_fields=["last_run_at"])
    done = 0
    while True:
        ids = deadlines_due(now=now, limit=batch)
        for pk in ids:
            deadline_act(deadline_id=pk, now=now, last_sweep=last_sweep)
        done += len(ids)
        if len(ids) < batch:
            break
    SweepHeartbeat.objects.filter(pk=1).update(acted=done)
    return done


def notify_users(*, users, kind: str, report, message: str, now: datetime) -> list:
    """In-app notifications (one per distinct user) and e-mail after commit."""
    from config.celery import enqueue_on_commit

    from .models import Notification
    from .tasks import notification_email_task

    seen, rows = set(), []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(user=user, report=report, kind=kind, message=message, created_at=now)
        )
    created = Notification.objects.bulk_create(rows)
    for notification in created:
        if notification.user.email:
            enqueue_on_commit(notification_email_task, notification.pk)
    return created


def notification_email(*, notification_id: int, now: datetime | None = None) -> None:
    """Send one notification's e-mail, once."""
    from django.conf import settings
    from django.core.mail import send_mail

    from .models import Notification

    now = now or timezone.now()
    with transaction.atomic():
        n = (
            Notification.objects.select_for_update()
            .select_related("user", "report")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if n is None or not n.user.email:
            return
        subject = (
            f"[{n.report.reference}] {n.get_kind_display()}" if n.report else n.get_kind_display()
        )
        send_mail(subject, n.message, settings.DEFAULT_FROM_EMAIL, [n.user.email])
        n.emailed_at = now
        n.save(update_fields=["emailed_at"])


def notifications_mark_read(*, user, ids=None, now: datetime | None = None) -> int:
    from .models import Notification

    now = now or timezone.now()
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=now)
