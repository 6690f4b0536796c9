"""The clock services. `reports` calls `deadline_open`, `deadline_meet` and `deadline_cancel`
(imported inside its functions: dependencies run escalation → reports)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Deadline, EscalationPolicy
from .rules import deadline_times, lateness, next_fire


def _open_clock(report, kind):
    return (
        Deadline.objects.select_for_update()
        .filter(report=report, kind=kind, outcome=Deadline.Outcome.OPEN)
        .first()
    )


def _set_times(deadline: Deadline, *, opened_at, policy, now, due_at=None) -> None:
    times = deadline_times(deadline.kind, opened_at, policy, due_at)
    deadline.opened_at = opened_at
    deadline.statutory_due_at = times.statutory_due_at
    deadline.due_at = times.due_at
    deadline.act_at = times.act_at
    deadline.remind_at = [t.isoformat() for t in times.remind_at]
    deadline.policy_channel = policy.channel
    deadline.policy_within = (
        policy.file_within if deadline.kind == "file" else policy.forward_within
    )
    deadline.policy_margin = policy.auto_forward_margin if deadline.kind == "forward" else None
    # Already overdue when opened: due now, so the sweep records it at once.
    deadline.next_fire_at = next_fire(times, after=now) or now


@transaction.atomic
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
    return deadline


@transaction.atomic
def deadline_meet(*, report, kind: str, at: datetime) -> Deadline | None:
    deadline = _open_clock(report, kind)
    if deadline is None:
        return None
    deadline.met_at = at
    deadline.outcome = Deadline.Outcome.MET if at <= deadline.due_at else Deadline.Outcome.LATE
    deadline.lateness = lateness(at, deadline.statutory_due_at)
    deadline.next_fire_at = None
    deadline.save()
    return deadline


@transaction.atomic
def deadline_cancel(*, report, kind: str, at: datetime, reason: str) -> Deadline | None:
    deadline = _open_clock(report, kind)
    if deadline is None:
        return None
    deadline.outcome = Deadline.Outcome.NOT_REQUIRED
    deadline.closed_reason = reason
    deadline.acted_at = at
    deadline.next_fire_at = None
    deadline.save()
    return deadline


def deadline_act(*, deadline_id: int, now: datetime | None = None) -> None:
    """The idempotent core the sweep calls for a due clock. For now it records a statutory
    breach once (a `deadline_breached` event) and moves `next_fire_at` on; reminders and the
    automatic forward come with the escalation engine."""
    from reports.events import report_event_create

    now = now or timezone.now()
    with transaction.atomic():
        deadline = (
            Deadline.objects.select_for_update(skip_locked=True)
            .select_related("report")
            .filter(pk=deadline_id, next_fire_at__lte=now)
            .first()
        )
        if deadline is None:
            return
        if deadline.outcome != Deadline.Outcome.OPEN:
            deadline.next_fire_at = None
            deadline.save(update_fields=["next_fire_at"])
            return
        if now > deadline.statutory_due_at and deadline.lateness is None:
            deadline.lateness = now - deadline.statutory_due_at
            report = deadline.report
            if deadline.kind == "file" and report.status == "draft" and report.requested_by_id:
                report.missed_at = now  # 漏报: an authority required it and none came in time
                report.save(update_fields=["missed_at"])
            report_event_create(
                report=deadline.report,
                kind="deadline_breached",
                at=now,
                automatic=True,
                note=_("%(clock)s: statutory limit passed at %(due)s")
                % {
                    "clock": deadline.get_kind_display(),
                    "due": timezone.localtime(deadline.statutory_due_at).strftime("%Y-%m-%d %H:%M"),
                },
            )
        times = deadline_times(
            deadline.kind,
            deadline.opened_at,
            EscalationPolicy.snapshot_for(deadline.policy_channel),
            deadline.due_at,
        )
        nf = next_fire(times, after=now)
        if nf is None and deadline.lateness is None:
            nf = deadline.statutory_due_at
        deadline.next_fire_at = nf
        deadline.save()


def deadlines_sweep(*, now: datetime | None = None, batch: int = 200) -> int:
    """Act on every due clock. Returns how many were acted on."""
    from .selectors import deadlines_due

    now = now or timezone.now()
    done = 0
    while True:
        ids = deadlines_due(now=now, limit=batch)
        if not ids:
            return done
        for pk in ids:
            deadline_act(deadline_id=pk, now=now)
        done += len(ids)
        if len(ids) < batch:
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
