"""The demo world of docs/ARCHITECTURE.md ("Demo data and accounts"): one account per role."""

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.constants import Role
from accounts.models import Authority, Membership, Organization, SameLevelDepartment
from accounts.otp import totp_key_base32
from accounts.reference import REPORTING_SERVICE
from accounts.reference import load_reference_data as accounts_data
from accounts.validators import make_uscc
from escalation.reference import load_reference_data as escalation_data
from reports.reference import load_reference_data as reports_data

DEMO_ORGANIZATIONS = {
    "operator-general": dict(
        name="广州示例网络科技有限公司",
        uscc=make_uscc("440100", 1),
        province_id="440000",
    ),
    "operator-cii": dict(
        name="南方示例电力有限公司",
        uscc=make_uscc("440100", 2),
        province_id="440000",
        sector_id="energy",
        is_cii_operator=True,
    ),
    "operator-central": dict(
        name="工业和信息化部示例信息中心",
        uscc=make_uscc("110100", 3, registration="11"),
        province_id="110000",
        is_central_unit=True,
        department_id="miit",
    ),
}

DEMO_STAFF = {
    "national": (Role.NATIONAL_OFFICIAL, "national-cac"),
    "reviewer-gd": (Role.REVIEWER, "cac-440000"),
    "reviewer-bj": (Role.REVIEWER, "cac-110000"),
    "reviewer-energy": (Role.REVIEWER, "pd-energy"),
    "reviewer-ministry": (Role.REVIEWER, "dco-miit"),
    "police-liaison": (Role.POLICE_LIAISON, "ps-440000"),
    "intake-12387": (Role.INTAKE_OFFICER, REPORTING_SERVICE),
    # the Ministry of Public Security's liaison: copies of serious CII reports (Art. 4)
    "police-mps": (Role.POLICE_LIAISON, "mps"),
}

# Same-level departments the demo provincial CACs notify at forwarding (Art. 4), besides the
# public-security department every province starts with: recorded by name (no portal
# accounts)
DEMO_SAME_LEVEL_DEPARTMENTS = {
    "sl-ca-440000": dict(
        province_id="440000",
        name="广东省通信管理局",
        name_en="Guangdong Communications Administration",
    ),
    "sl-ca-110000": dict(
        province_id="110000",
        name="北京市通信管理局",
        name_en="Beijing Communications Administration",
    ),
}


def load_all_reference_data() -> None:
    accounts_data(global_apps)
    reports_data(global_apps)
    escalation_data(global_apps)


def _user(username: str, password: str, **extra):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults=extra)
    if created:
        user.set_password(password)
        user.save()
    return user


@transaction.atomic
def seed_demo_world(password: str | None = None, *, load_reference: bool = True) -> dict:
    password = password or settings.DEMO_PASSWORD
    if load_reference:
        load_all_reference_data()
    users = {"admin": _user("admin", password, is_staff=True, is_superuser=True)}
    for username, fields in DEMO_ORGANIZATIONS.items():
        org, _ = Organization.objects.get_or_create(uscc=fields["uscc"], defaults=fields)
        user = _user(username, password)
        Membership.objects.get_or_create(user=user, role=Role.REPORTER, organization=org)
        users[username] = user
    for username, (role, authority_code) in DEMO_STAFF.items():
        user = _user(username, password)
        Membership.objects.get_or_create(
            user=user, role=role, authority=Authority.objects.get(code=authority_code)
        )
        users[username] = user
    for code, fields in DEMO_SAME_LEVEL_DEPARTMENTS.items():
        SameLevelDepartment.objects.get_or_create(code=code, defaults=fields)
    if settings.DEMO_TOTP:
        for username in ("admin", *DEMO_STAFF):
            demo_totp_device(users[username])
    return users


def demo_totp_device(user):
    """Outside production, demo authority accounts get a confirmed authenticator so that
    two-factor login can be tried at once (`seed_demo` prints the keys)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="demo authenticator", confirmed=True)


def demo_totp_devices():
    return (
        TOTPDevice.objects.filter(confirmed=True, name="demo authenticator")
        .select_related("user")
        .order_by("user__username")
    )


def demo_totp_secrets() -> dict[str, str]:
    return {d.user.username: totp_key_base32(d) for d in demo_totp_devices()}
