"""A notification's e-mail on PostgreSQL: sent once, titled by the report's reference, and
recorded (the lock takes the notification's row only: PostgreSQL cannot lock the nullable
side of an outer join)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from notifications.services import notification_email, notify_users
from reports.services.drafting import report_create

User = get_user_model()


@pytest.fixture
def report(demo, now):
    return report_create(user=demo["operator-general"], data={"title": "网站被篡改"}, now=now)


@pytest.fixture
def with_email(demo):
    def give(username):
        User.objects.filter(username=username).update(email=f"{username}@example.cn")
        return User.objects.get(username=username)

    return give


def notify(users, report, now, kind="reminder", message="提醒"):
    return notify_users(users=users, kind=kind, report=report, message=message, now=now)


def test_the_e_mail_goes_to_the_user_with_the_report_reference_and_is_recorded(
    demo, report, now, with_email, mailoutbox
):
    gd = with_email("reviewer-gd")
    (notification,) = notify([gd], report, now, kind="reminder", message="请尽快上报")
    sent_at = now + timedelta(seconds=3)
    # when
    notification_email(notification_id=notification.pk, now=sent_at)
    # then
    (mail,) = mailoutbox
    assert mail.to == ["reviewer-gd@example.cn"]
    assert mail.from_email == settings.DEFAULT_FROM_EMAIL
    assert mail.subject == f"[{report.reference}] {notification.get_kind_display()}"
    assert mail.body == "请尽快上报"
    notification.refresh_from_db()
    assert notification.emailed_at == sent_at


def test_the_e_mail_is_sent_once(demo, report, now, with_email, mailoutbox):
    (notification,) = notify([with_email("reviewer-gd")], report, now)
    notification_email(notification_id=notification.pk, now=now)
    notification_email(notification_id=notification.pk, now=now + timedelta(minutes=1))
    assert len(mailoutbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at == now


def test_an_e_mail_about_no_report_is_titled_by_its_kind(demo, now, with_email, mailoutbox):
    (notification,) = notify([with_email("national")], None, now, kind="report_received")
    notification_email(notification_id=notification.pk, now=now)
    assert mailoutbox[0].subject == notification.get_kind_display()


def test_no_e_mail_for_a_user_without_an_address(demo, report, now, mailoutbox):
    (notification,) = notify([demo["reviewer-gd"]], report, now)
    notification_email(notification_id=notification.pk, now=now)
    assert mailoutbox == []
    notification.refresh_from_db()
    assert notification.emailed_at is None
