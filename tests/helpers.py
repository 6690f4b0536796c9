"""Shared test helpers."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.otp import requires_second_factor
from demo.world import demo_totp_device
from reports.services.drafting import report_create
from reports.services.submission import report_submit


def login(client: Client, user, *, verified: bool = True) -> Client:
    """Log the client in as `user`; for accounts with two-factor login, as after a correct
    code on the two-factor page (unless `verified=False`)."""
    client.force_login(user)
    if verified and requires_second_factor(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = demo_totp_device(user).persistent_id
        session.save()
    return client


def serious_report_data(now=None, **changes) -> dict:
    """A complete major report (a DDoS on a portal, discovered 30 minutes before `now`, by
    default the present) for the services' `report_create`."""
    return {
        "title": "官网遭受拒绝服务攻击",
        "affected_systems": "门户网站",
        "discovered_at": (now or timezone.now()) - timedelta(minutes=30),
        "location": "广州",
        "category": "0208",
        "severity_declared": "major",
        "impact_description": "无法访问",
        "measures_taken": "流量清洗",
        **changes,
    }


def submitted_report(demo, now, username="operator-general", **changes):
    """`serious_report_data` (with `changes`) drafted and submitted by `username` at `now`."""
    user = demo[username]
    report = report_create(user=user, data=serious_report_data(now, **changes), now=now)
    return report_submit(user=user, pk=report.pk, now=now)
