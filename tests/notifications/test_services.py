"""The notification services: the in-app rows `notify_users` writes and the e-mail it queues,
`notification_email` sending each e-mail once, `notifications_mark_read`. Time is `now`."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Membership
from notifications.models import Notification
from notifications.services import notifications_mark_read, notify_members, notify_users
from reports.services.drafting import report_create

User = get_user_model()


@pytest.fixture
def report(demo, now):
    return report_create(user=demo["operator-general"], data={"title": "网站被篡改"}, now=now)


@pytest.fixture
def with_email(demo):
    """`with_email("reviewer-gd")`: the demo user, with an e-mail address on record."""

    def give(username):
        User.objects.filter(username=username).update(email=f"{username}@example.cn")
        return User.objects.get(username=username)

    return give


def notify(users, report, now, kind="reminder", message="提醒"):
    return notify_users(users=users, kind=kind, report=report, message=message, now=now)


# --- notify_users --------------------------------------------------------------------------


def test_notify_writes_one_unread_row_per_user(demo, report, now):
    gd, nat = demo["reviewer-gd"], demo["national"]
    # when
    created = notify([gd, nat], report, now, kind="forwarded", message="已上报")
    # then
    rows = Notification.objects.filter(report=report).order_by("user__username")
    assert [n.pk for n in created] and {n.pk for n in created} == {n.pk for n in rows}
    assert [
        (n.user.username, n.kind, n.message, n.created_at, n.read_at, n.emailed_at) for n in rows
    ] == [
        ("national", "forwarded", "已上报", now, None, None),
        ("reviewer-gd", "forwarded", "已上报", now, None, None),
    ]


def test_notify_skips_nobody_duplicates_and_inactive_accounts(demo, report, now):
    gd, bj = demo["reviewer-gd"], demo["reviewer-bj"]
    User.objects.filter(pk=bj.pk).update(is_active=False)
    bj.refresh_from_db()
    created = notify([gd, None, gd, bj], report, now)
    assert [n.user.username for n in created] == ["reviewer-gd"]
    assert Notification.objects.filter(report=report).count() == 1


def test_notify_may_concern_no_report(demo, now):
    (notification,) = notify([demo["national"]], None, now, kind="report_received")
    notification.refresh_from_db()
    assert notification.report is None and notification.kind == "report_received"


def test_notify_queues_the_e_mail_after_commit_for_users_with_an_address(
    demo, report, now, with_email, django_capture_on_commit_callbacks
):
    gd = with_email("reviewer-gd")
    with django_capture_on_commit_callbacks() as callbacks:
        created = notify([gd, demo["national"]], report, now)
    mailed = next(n for n in created if n.user_id == gd.pk)
    (send,) = callbacks
    assert send.task == ("escalation.notification_email", (mailed.pk,), None)


def test_notify_sends_no_e_mail_itself(demo, report, now, with_email, mailoutbox):
    notify([with_email("reviewer-gd")], report, now)
    assert mailoutbox == []


# --- notify_members (the same, from memberships, in one statement) --------------------------


def members_of(*usernames):
    return Membership.objects.filter(user__username__in=usernames)


def written(report):
    return sorted(
        (n.user.username, n.kind, n.message, n.created_at, n.read_at, n.emailed_at)
        for n in Notification.objects.filter(report=report)
    )


def test_notify_members_writes_what_notify_users_writes_for_their_users(demo, report, now):
    memberships = members_of("reviewer-gd", "national", "reviewer-bj")
    users = [m.user for m in memberships]
    notify(users, report, now, kind="forwarded", message="已上报")
    expected = written(report)
    Notification.objects.filter(report=report).delete()
    # when
    count = notify_members(
        memberships=memberships, kind="forwarded", report=report, message="已上报", now=now
    )
    # then
    assert count == 3
    assert written(report) == expected


def bj_authority(user):
    return Membership.objects.get(user=user).authority


def test_notify_members_skips_duplicates_and_inactive_accounts(demo, report, now):
    gd, bj = demo["reviewer-gd"], demo["reviewer-bj"]
    User.objects.filter(pk=bj.pk).update(is_active=False)
    # reviewer-gd holds two memberships: one notification
    Membership.objects.create(user=gd, role=Membership.Role.REVIEWER, authority=bj_authority(bj))
    count = notify_members(
        memberships=Membership.objects.filter(user__in=[gd, bj]),
        kind="reminder",
        report=report,
        message="提醒",
        now=now,
    )
    assert count == 1
    assert [u for u, *_ in written(report)] == ["reviewer-gd"]


def test_notify_members_queues_the_e_mail_after_commit_for_users_with_an_address(
    demo, report, now, with_email, django_capture_on_commit_callbacks
):
    gd = with_email("reviewer-gd")
    with django_capture_on_commit_callbacks() as callbacks:
        notify_members(
            memberships=members_of("reviewer-gd", "national"),
            kind="reminder",
            report=report,
            message="提醒",
            now=now,
        )
    mailed = Notification.objects.get(report=report, user=gd)
    (send,) = callbacks
    assert send.task == ("escalation.notification_email", (mailed.pk,), None)


def test_notify_members_of_no_membership_writes_nothing(demo, report, now):
    count = notify_members(
        memberships=Membership.objects.none(), kind="reminder", report=report, message="", now=now
    )
    assert count == 0 and not Notification.objects.filter(report=report).exists()


# --- notifications_mark_read ---------------------------------------------------------------


def test_mark_read_marks_all_the_users_unread_notifications(demo, report, now):
    gd, nat = demo["reviewer-gd"], demo["national"]
    notify([gd, nat], report, now)
    notify([gd], report, now)
    later = now + timedelta(minutes=5)
    # when
    count = notifications_mark_read(user=gd, now=later)
    # then
    assert count == 2
    assert set(gd.notifications.values_list("read_at", flat=True)) == {later}
    assert nat.notifications.get().read_at is None


def test_mark_read_of_some_ids_marks_only_those(demo, report, now):
    gd = demo["reviewer-gd"]
    (first,) = notify([gd], report, now)
    (second,) = notify([gd], report, now)
    assert notifications_mark_read(user=gd, ids=[first.pk], now=now) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.read_at, second.read_at) == (now, None)


def test_mark_read_never_touches_another_users_notification(demo, report, now):
    (theirs,) = notify([demo["national"]], report, now)
    assert notifications_mark_read(user=demo["reviewer-gd"], ids=[theirs.pk], now=now) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_keeps_the_time_a_notification_was_first_read(demo, report, now):
    gd = demo["reviewer-gd"]
    (notification,) = notify([gd], report, now)
    notifications_mark_read(user=gd, now=now)
    assert notifications_mark_read(user=gd, now=now + timedelta(hours=1)) == 0
    notification.refresh_from_db()
    assert notification.read_at == now
