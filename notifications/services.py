"""Writes for notifications: the in-app row (the bell), its e-mail after commit, marking
read."""

from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from core.tasks import enqueue_on_commit

from .models import Notification

EMAIL_TASK = "escalation.notification_email"  # the task's stable name (notifications.tasks)


def notification_rows(*, users, kind: str, report, message: str, now: datetime) -> list:
    """The unsaved in-app notifications `notify_users` writes (one per distinct active
    user), for a caller that writes several groups in one INSERT (`notifications_create`)."""
    seen, rows = set(), []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(user=user, report=report, kind=kind, message=message, created_at=now)
        )
    return rows


def notifications_create(rows: list) -> list:
    """Write notifications (`notification_rows`, any number of groups) in one INSERT, and
    their e-mails after commit."""
    created = Notification.objects.bulk_create(rows) if rows else []
    for notification in created:
        if notification.user.email:
            enqueue_on_commit(EMAIL_TASK, notification.pk)
    return created


def notify_users(*, users, kind: str, report, message: str, now: datetime) -> list:
    """In-app notifications (one per distinct active user) and e-mail after commit."""
    return notifications_create(
        notification_rows(users=users, kind=kind, report=report, message=message, now=now)
    )


def notification_email(*, notification_id: int, now: datetime | None = None) -> None:
    """Send one notification's e-mail, once."""
    now = now or timezone.now()
    with transaction.atomic():
        n = (
            # only the notification's row: PostgreSQL cannot lock the nullable side of the
            # outer join to its report
            Notification.objects.select_for_update(of=("self",))
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
    now = now or timezone.now()
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=now)
