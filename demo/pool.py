"""The demo generator's organisations (a synthetic pool across every province, sector and
department) and its grading samples (indicator sets that the grading guide rates at each
level)."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from simple_history.utils import bulk_create_with_history

from accounts.models import Department, Membership, Organization, Province, Sector
from accounts.validators import make_uscc
from reports.grading import SCOPE_KEYS, Criterion, suggest

POOL_SIZE = 300
SERIAL_BASE = 700_000_000  # organisation-code serials of the synthetic pool
LEVELS = ("general", "significant", "major", "especially_major")
TRADES = ("网络科技", "云计算", "电子商务", "智能制造", "物流", "医疗科技", "文化传媒", "金融服务")


def _pool_specs() -> list[dict]:
    provinces = list(Province.objects.order_by("code"))
    sectors = list(Sector.objects.order_by("code"))
    departments = list(Department.objects.order_by("code"))
    specs = []
    for i in range(POOL_SIZE):
        province = provinces[i % len(provinces)]
        kind = i % 10
        spec = {
            "province_id": province.code,
            "sector_id": None,
            "is_cii_operator": False,
            "is_central_unit": False,
            "department_id": None,
        }
        registration = "91"
        if kind in (0, 1) or i % 30 == 3:  # CII operators (some also central units)
            sector = sectors[(i // 10 + kind) % len(sectors)]
            spec.update(sector_id=sector.code, is_cii_operator=True)
            name = f"{province.name}{sector.name}示例运营单位{i:03d}"
        if kind == 2 or i % 30 == 3:  # central / state units
            department = departments[(i // 10) % len(departments)]
            spec.update(is_central_unit=True, department_id=department.code)
            registration = "12"
            name = f"{department.name}直属示例单位{i:03d}（{province.name}）"
        if not (spec["is_cii_operator"] or spec["is_central_unit"]):
            name = f"{province.name}{TRADES[i % len(TRADES)]}示例有限公司{i:03d}"
        division = f"{province.code[:2]}0100"
        spec.update(name=name, uscc=make_uscc(division, SERIAL_BASE + i, registration))
        specs.append(spec)
    return specs


def ensure_organization_pool() -> list[Organization]:
    """~300 synthetic organisations across every province, sector and department, each with
    one reporter account (no usable password). Idempotent."""
    specs = _pool_specs()
    existing = set(
        Organization.objects.filter(uscc__in=[s["uscc"] for s in specs]).values_list(
            "uscc", flat=True
        )
    )
    missing = [Organization(**s) for s in specs if s["uscc"] not in existing]
    if missing:
        bulk_create_with_history(missing, Organization, default_change_reason="demo data")
    orgs = list(Organization.objects.filter(uscc__in=[s["uscc"] for s in specs]).order_by("uscc"))
    User = get_user_model()
    names = {org.pk: f"demo-op-{org.uscc[-10:-1]}" for org in orgs}
    have = set(User.objects.filter(username__in=names.values()).values_list("username", flat=True))
    User.objects.bulk_create(
        [
            User(username=name, password=make_password(None))
            for name in names.values()
            if name not in have
        ]
    )
    users = {u.username: u for u in User.objects.filter(username__in=names.values())}
    members = set(
        Membership.objects.filter(role=Membership.Role.REPORTER, organization__in=orgs).values_list(
            "organization_id", "user_id"
        )
    )
    new_members = [
        Membership(user=users[names[org.pk]], role=Membership.Role.REPORTER, organization=org)
        for org in orgs
        if (org.pk, users[names[org.pk]].pk) not in members
    ]
    if new_members:
        bulk_create_with_history(new_members, Membership, default_change_reason="demo data")
    for org in orgs:
        org.demo_user = users[names[org.pk]]
    return orgs


def indicator_samples(criteria: list[Criterion]) -> dict[str, list[tuple[dict, str, list]]]:
    """Per level, indicator sets that grade to exactly that level, with their suggestion."""
    samples: dict[str, list] = {level: [] for level in LEVELS}
    for c in criteria:
        for factor in (Decimal(1), Decimal("1.4")):
            if c.unit == "choice":
                if factor != 1:
                    continue
                indicators = {c.indicator: c.threshold}
                reason_key = {"catch_all": "catch_all_reason", "data_leak": "data_leak_reason"}
                if c.indicator in reason_key:
                    indicators[reason_key[c.indicator]] = "经研判，对公共利益构成威胁"
            else:
                value = Decimal(c.threshold) * factor
                if c.unit == "percent":
                    value = min(value, Decimal(100))
                    indicators = {c.indicator: str(value.normalize())}
                elif c.unit == "yuan":
                    indicators = {c.indicator: str(value.quantize(Decimal(1)))}
                else:
                    indicators = {c.indicator: int(value)}
            if c.scope and c.indicator in SCOPE_KEYS:
                indicators[SCOPE_KEYS[c.indicator]] = c.scope
            result = suggest(indicators, criteria)
            if result.level == c.level:
                samples[c.level].append((indicators, result.level, result.as_list()))
    for indicators in ({"people_affected": 5000}, {"cii_total_outage_minutes": 5}, {}):
        result = suggest(indicators, criteria)
        samples[result.level].append((indicators, result.level, result.as_list()))
    return samples
