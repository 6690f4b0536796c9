"""Writes for notifications: the in-app row (the bell), its e-mail after commit, marking
read."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.mail import send_mail
from django.db import connections, router, transaction
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


def notify_members(*, memberships, kind: str, report, message: str, now: datetime) -> int:
    """`notify_users` for the users holding `memberships` (a queryset of memberships), without
    reading them: on PostgreSQL one statement selects the distinct active users and inserts
    their notifications (the e-mails follow after commit, as `notify_users` sends them);
    elsewhere, `notify_users` itself. Returns how many notifications were written."""
    recipients = memberships.filter(user__is_active=True).order_by()
    alias = router.db_for_write(Notification)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        users = [m.user for m in recipients.select_related("user").order_by("pk")]
        return len(notify_users(users=users, kind=kind, report=report, message=message, now=now))
    try:
        inner, params = (
            recipients.values_list("user_id", "user__email").distinct().query.sql_with_params()
        )
    except EmptyResultSet:  # a condition that no membership can meet
        return 0
    qn = connection.ops.quote_name
    meta = Notification._meta
    column = {
        name: qn(meta.get_field(name).column)
        for name in ("user", "report", "kind", "message", "created_at")
    }
    sql = (
        f"WITH r (user_id, email) AS ({inner}),"
        f" n AS (INSERT INTO {qn(meta.db_table)} ({column['user']}, {column['report']},"
        f" {column['kind']}, {column['message']}, {column['created_at']})"
        f" SELECT r.user_id, %s, %s, %s, %s FROM r ORDER BY r.user_id"
        f" RETURNING {qn(meta.pk.column)} AS id, {column['user']} AS user_id)"
        f" SELECT n.id, r.email FROM n JOIN r ON r.user_id = n.user_id ORDER BY n.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, report.pk if report else None, kind, message, now])
        written = cursor.fetchall()
    for notification_id, email in written:
        if email:
            enqueue_on_commit(EMAIL_TASK, notification_id)
    return len(written)


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
