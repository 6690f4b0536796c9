"""Demo reports for dashboards and benchmarks: `python manage.py seed_demo --reports N`.

Data at rest, written in bulk (ARCHITECTURE.md: "1 000 000 in minutes, not hours"): the
rows a real run of the services would have left — the report with its routing and grading,
its events, its clocks (met, late, open or not required), a history row — are computed here
in memory and written in batches with COPY (`bulk_create` on SQLite). No service is called
per report: that would take hours, and the services would read the clock instead of the past
instants we need. Everything derived uses the same pure functions as the services
(`routing.channel_for`, `grading.suggest`, `escalation.rules`), so the seeded rows are
consistent with what the portal computes.

Deterministic: the random generator is seeded from the number of demo reports already
present, so a given database and `now` always receive the same reports."""

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import IntegerField, JSONField, Max
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.demo import make_uscc
from accounts.models import Authority, Department, Membership, Organization, Province, Sector

from .constants import (
    FILE_LIMITS,
    FORWARD_LIMITS,
    RANSOMWARE_CATEGORY,
    REPORTABLE,
    SERIOUS,
    Severity,
    Status,
    Tier,
    max_severity,
)
from .grading import Criterion, suggest
from .models import Category, Forwarding, Report, ReportEvent
from .routing import channel_for
from .selectors import grading_criteria

REFERENCE_PREFIX = "DEMO-"  # DEMO-{year}-{n:07d}; n runs on across years and runs
POOL_SIZE = 300
SERIAL_BASE = 700_000_000  # organisation-code serials of the synthetic pool
BATCH = 5000
SEED = 20251101
YEAR = timedelta(days=365)

LEVELS = ("general", "significant", "major", "especially_major")
LEVEL_WEIGHTS = (30, 45, 18, 7)
TRADES = ("网络科技", "云计算", "电子商务", "智能制造", "物流", "医疗科技", "文化传媒", "金融服务")
SYSTEMS = (
    "门户网站",
    "核心业务系统",
    "邮件系统",
    "数据库服务器",
    "工业控制系统",
    "移动应用",
    "云平台",
    "办公网络",
    "客户服务平台",
    "支付系统",
)
MEASURES = (
    "已隔离受影响主机并切换至备用系统",
    "已封禁攻击源地址，启用流量清洗",
    "已下线受影响页面并恢复备份",
    "已重置相关账号口令并加强访问控制",
    "已启动应急预案，组织技术人员排查",
)
IMPACTS = (
    "业务中断，部分用户无法访问",
    "部分数据疑似被窃取，影响范围评估中",
    "系统运行缓慢，核心功能受限",
    "网站页面被篡改，显示违法信息",
    "服务短时中断后已恢复",
)
LATE_REASONS = (
    "值班人员未及时研判事件级别",
    "夜间发现，联络负责人耗时较长",
    "初期误判为一般故障",
)


@contextmanager
def _explicit_timestamps(model, *names: str) -> Iterator[None]:
    """Let bulk_create store past `created_at`/`updated_at` values (auto_now would
    overwrite them with the current time)."""
    fields = [model._meta.get_field(name) for name in names]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


# -- the organisation pool -------------------------------------------------------------------


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
        Membership.objects.filter(role="reporter", organization__in=orgs).values_list(
            "organization_id", "user_id"
        )
    )
    new_members = [
        Membership(user=users[names[org.pk]], role="reporter", organization=org)
        for org in orgs
        if (org.pk, users[names[org.pk]].pk) not in members
    ]
    if new_members:
        bulk_create_with_history(new_members, Membership, default_change_reason="demo data")
    for org in orgs:
        org.demo_user = users[names[org.pk]]
    return orgs


# -- grading samples -------------------------------------------------------------------------


def _indicator_samples(criteria: list[Criterion]) -> dict[str, list[tuple[dict, str, list]]]:
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
                if c.scope:
                    key = {
                        "population_share_percent": "population_scope",
                        "portal_outage_minutes": "portal_scope",
                    }.get(c.indicator, "defacement_scope")
                    indicators[key] = c.scope
            result = suggest(indicators, criteria)
            if result.level == c.level:
                samples[c.level].append((indicators, result.level, result.as_list()))
    for indicators in ({"people_affected": 5000}, {"cii_total_outage_minutes": 5}, {}):
        result = suggest(indicators, criteria)
        samples[result.level].append((indicators, result.level, result.as_list()))
    return samples


# -- one report ------------------------------------------------------------------------------


class _World:
    def __init__(self, now: datetime):
        self.now = now
        self.orgs = ensure_organization_pool()
        self.cac, self.police, self.protection, self.office = {}, {}, {}, {}
        for a in Authority.objects.filter(is_national=False):
            if a.kind == Authority.Kind.PROVINCIAL_CAC:
                self.cac[a.province_id] = a.pk
            elif a.kind == Authority.Kind.PUBLIC_SECURITY:
                self.police[a.province_id] = a.pk
            elif a.kind == Authority.Kind.PROTECTION_DEPARTMENT:
                self.protection[a.sector_id] = a.pk
            elif a.kind == Authority.Kind.DEPARTMENT_CYBER_OFFICE:
                self.office[a.department_id] = a.pk
        self.categories = list(
            Category.objects.filter(children__isnull=True)
            .order_by("code")
            .values_list("code", "name")
        )
        self.provinces = dict(Province.objects.values_list("code", "name"))
        self.samples = _indicator_samples(grading_criteria())
        from escalation.rules import deadline_times, lateness, next_fire, statutory_policy

        self.deadline_times, self.lateness, self.next_fire = deadline_times, lateness, next_fire
        self.policies = {c: statutory_policy(c) for c in FILE_LIMITS}


def _route(world: _World, org, involves_cii: bool, suspected_crime: bool):
    channel = channel_for(involves_cii=involves_cii, is_central_unit=org.is_central_unit)
    copies = []
    if channel == "cii":
        receiving = world.protection[org.sector_id]
        copies.append(world.police[org.province_id])
        if org.is_central_unit and org.department_id in world.office:
            copies.append(world.office[org.department_id])
    elif channel == "central":
        receiving = world.office[org.department_id]
    else:
        receiving = world.cac[org.province_id]
    if suspected_crime and world.police[org.province_id] not in copies:
        copies.append(world.police[org.province_id])
    return channel, receiving, copies


def _status_for(rng: random.Random, age: timedelta) -> str:
    if age < timedelta(days=2):
        weights = (30, 40, 30, 0)
    elif age < timedelta(days=30):
        weights = (5, 15, 40, 40)
    else:
        weights = (2, 3, 10, 85)
    return rng.choices(("draft", "submitted", "in_review", "closed"), weights)[0]


def _clock(world: _World, report: Report, kind: str, opened_at: datetime, **fields):
    from escalation.models import Deadline

    policy = world.policies[report.channel]
    times = world.deadline_times(kind, opened_at, policy)
    deadline = Deadline(
        report=report,
        kind=kind,
        opened_at=opened_at,
        statutory_due_at=times.statutory_due_at,
        due_at=times.due_at,
        act_at=times.act_at,
        remind_at=[t.isoformat() for t in times.remind_at],
        policy_channel=report.channel,
        policy_within=policy.file_within if kind == "file" else policy.forward_within,
        policy_margin=policy.auto_forward_margin if kind == "forward" else None,
        **fields,
    )
    deadline.times = times
    return deadline


def _meet(world: _World, deadline, at: datetime) -> None:
    deadline.met_at = at
    deadline.outcome = "met" if at <= deadline.due_at else "late"
    deadline.lateness = world.lateness(at, deadline.statutory_due_at)
    deadline.next_fire_at = None
    deadline.reminders_sent = sum(1 for t in deadline.times.remind_at if t < at)


def _leave_open(world: _World, deadline, now: datetime, events: list, report) -> None:
    """An open clock as the sweep would have left it at `now`."""
    deadline.reminders_sent = sum(1 for t in deadline.times.remind_at if t <= now)
    if now > deadline.statutory_due_at:
        acted = deadline.statutory_due_at + timedelta(seconds=30)
        deadline.lateness = acted - deadline.statutory_due_at
        deadline.next_fire_at = None
        events.append(
            ReportEvent(
                report=report,
                kind=ReportEvent.Kind.DEADLINE_BREACHED,
                at=acted,
                automatic=True,
                note=f"{deadline.kind}: statutory limit passed",
            )
        )
    else:
        deadline.next_fire_at = world.next_fire(deadline.times, after=now) or now


def _make_report(world: _World, rng: random.Random, seq: int):
    """One report with its events and clocks, as the services would have left them."""
    now = world.now
    org = rng.choice(world.orgs)
    user = org.demo_user
    discovered = now - timedelta(seconds=rng.randint(600, int(YEAR.total_seconds())))
    occurred = (
        discovered - timedelta(minutes=rng.randint(0, 24 * 60)) if rng.random() < 0.8 else None
    )
    involves_cii = org.is_cii_operator and rng.random() < 0.9
    suspected_crime = rng.random() < 0.06
    channel, receiving, copies = _route(world, org, involves_cii, suspected_crime)

    level = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
    mode = rng.random()
    indicators, suggested, criteria_met = rng.choice(world.samples[level])
    declared = level
    if mode < 0.15:  # declared without indicators
        indicators, suggested, criteria_met = {}, Severity.GENERAL.value, []
    elif mode < 0.25 and level != "general":  # declared lower; the guide raises it
        declared = LEVELS[LEVELS.index(level) - 1]
    severity = max_severity(declared, suggested)

    status = _status_for(rng, now - discovered)
    file_limit = FILE_LIMITS[channel]
    late = severity in REPORTABLE and rng.random() < 0.12
    if severity in REPORTABLE:
        delay = (
            file_limit + timedelta(seconds=rng.randint(1, 12 * 3600))
            if late
            else timedelta(seconds=rng.randint(300, int(file_limit.total_seconds())))
        )
    else:
        delay = timedelta(seconds=rng.randint(600, 3 * 24 * 3600))
    submitted = discovered + delay
    if submitted > now:
        status, late = "draft", False
    created = min(discovered + timedelta(seconds=rng.randint(60, 300)), submitted, now)

    category, category_name = rng.choice(world.categories)
    system = rng.choice(SYSTEMS)
    province = world.provinces[org.province_id]
    report = Report(
        reference=f"{REFERENCE_PREFIX}{created.year}-{seq:07d}",
        version=1,
        status=Status.DRAFT,
        tier=Tier.RECEIVING,
        channel=channel,
        involves_cii=involves_cii,
        cii_untick_reason=(
            "事件仅涉及办公网络，不涉及关键信息基础设施"
            if org.is_cii_operator and not involves_cii
            else ""
        ),
        organization_id=org.pk,
        receiving_authority_id=receiving,
        created_by_id=user.pk,
        title=f"{system}{category_name}",
        affected_systems=f"{org.name}{system}",
        discovered_at=discovered,
        occurred_at=occurred,
        location=province,
        category_id=category,
        indicators=indicators,
        severity_declared=declared,
        severity_suggested=suggested,
        criteria_met=criteria_met,
        severity=severity,
        impact_description=rng.choice(IMPACTS),
        measures_taken=rng.choice(MEASURES),
        suspected_crime=suspected_crime,
        created_at=created,
        updated_at=created,
    )
    if category == RANSOMWARE_CATEGORY:
        report.ransom_amount = Decimal(rng.randint(1, 500) * 1000)
        report.ransom_currency = rng.choice(("BTC", "USDT", "CNY"))
        report.ransom_payment_method = "加密货币钱包地址"
        report.ransom_demanded_at = discovered
    events = [
        ReportEvent(report=report, kind=ReportEvent.Kind.CREATED, at=created, actor_id=user.pk)
    ]
    clocks = []
    last = created

    if status == "draft":
        if severity in REPORTABLE:
            clock = _clock(world, report, "file", discovered)
            _leave_open(world, clock, now, events, report)
            clocks.append(clock)
        return report, copies, events, clocks

    report.status = status
    report.version = 2
    report.submitted_at = submitted
    report.submitted_by_id = user.pk
    if late:
        report.late_reason = rng.choice(LATE_REASONS)
    events.append(
        ReportEvent(report=report, kind=ReportEvent.Kind.SUBMITTED, at=submitted, actor_id=user.pk)
    )
    last = submitted
    if severity in REPORTABLE:
        clock = _clock(world, report, "file", discovered)
        _meet(world, clock, submitted)
        clocks.append(clock)

    if severity in SERIOUS:
        forward = _clock(world, report, "forward", submitted)
        window = FORWARD_LIMITS[channel]
        times = forward.times
        if status != "submitted" and rng.random() < 0.1:  # the reviewer graded it down
            graded = submitted + timedelta(seconds=rng.randint(60, int(window.total_seconds() / 2)))
            report.severity_reviewed = report.severity = Severity.SIGNIFICANT
            report.grade_reason = "经核实影响范围有限"
            forward.outcome, forward.acted_at, forward.next_fire_at = "not_required", graded, None
            forward.closed_reason = "Graded down: no forward needed."
            events.append(
                ReportEvent(
                    report=report,
                    kind=ReportEvent.Kind.GRADED,
                    at=graded,
                    note="significant: 经核实影响范围有限",
                )
            )
            last = graded
        elif submitted + window > now:  # still with the receiving authority
            report.status = Status.SUBMITTED
            _leave_open(world, forward, now, events, report)
        else:
            roll = rng.random()
            automatic = False
            if roll < 0.85:
                act = times.act_at - submitted
                forwarded = submitted + timedelta(seconds=rng.randint(60, int(act.total_seconds())))
            elif roll < 0.93:  # nobody acted: the portal forwarded by itself
                forwarded, automatic = times.act_at, True
            else:  # forwarded late (workers down, or by hand after the limit)
                forwarded = times.due_at + timedelta(seconds=rng.randint(1, 3 * 3600))
                automatic = rng.random() < 0.5
                forward.late_cause = (
                    "转发超时：值班人员未及时处理"
                    if not automatic
                    else ("自动转发延迟：任务队列不可用")
                )
            _meet(world, forward, forwarded)
            forward.acted_at = forwarded
            report.tier = Tier.NATIONAL
            report.forwarded_at = forwarded
            report.demo_forwarding = Forwarding(
                at=forwarded, automatic=automatic, from_authority_id=receiving
            )
            events.append(
                ReportEvent(
                    report=report,
                    kind=ReportEvent.Kind.FORWARDED,
                    at=forwarded,
                    automatic=automatic,
                )
            )
            last = forwarded
        clocks.append(forward)

    reviewed = report.status in (Status.IN_REVIEW, Status.CLOSED)
    if reviewed and not report.severity_reviewed and rng.random() < 0.7:
        report.severity_reviewed = report.severity
    if report.status == Status.CLOSED:
        closed = min(last + timedelta(hours=rng.randint(2, 30 * 24)), now)
        events.append(
            ReportEvent(report=report, kind=ReportEvent.Kind.CLOSED, at=closed, note="处置完毕")
        )
        report.closed_reason = "处置完毕"
        last = closed
    report.updated_at = last
    return report, copies, events, clocks


# -- the command's entry point ---------------------------------------------------------------


def _next_sequence() -> int:
    top = (
        Report.objects.filter(reference__startswith=REFERENCE_PREFIX)
        .annotate(n=Cast(Substr("reference", len(REFERENCE_PREFIX) + 6), IntegerField()))
        .aggregate(top=Max("n"))["top"]
    )
    return (top or 0) + 1


def _history_rows(model, pks: list[int], *, date_column: str) -> None:
    """One "+" history row per new row, copied inside PostgreSQL (INSERT … SELECT): the
    same rows `bulk_history_create` writes, without building each in Python."""
    history = model.history.model
    qn = connection.ops.quote_name
    columns = [
        history._meta.get_field(name).column for name in (f.name for f in history.tracked_fields)
    ]
    cols = ", ".join(qn(c) for c in columns)
    if connection.vendor == "postgresql":
        match, params = "= ANY(%s)", [pks]
    else:  # the embedded SQLite run
        match, params = f"IN ({', '.join(['%s'] * len(pks))})", list(pks)
    sql = (
        f"INSERT INTO {qn(history._meta.db_table)} ({cols}, history_date, "
        "history_change_reason, history_type, history_user_id) "
        f"SELECT {cols}, {qn(date_column)}, %s, '+', NULL FROM {qn(model._meta.db_table)} "
        f"WHERE {qn(model._meta.pk.column)} {match}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ["demo data", *params])


def _reserve_ids(model, objs: list) -> None:
    """Give the new rows their ids from the table's own sequence before they are written
    (COPY returns none), so that their events and clocks can point at them."""
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk


def _copy(model, objs: list, *, with_ids: bool = False) -> None:
    """Write the rows with PostgreSQL's COPY: the instances' attributes as they are (the demo
    sets every timestamp itself), JSON adapted. Several times faster than `bulk_create`,
    whose per-value preparation dominated a million-report seed. Elsewhere (the embedded
    SQLite run), `bulk_create`."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        with _explicit_timestamps(model, *_auto_timestamps(model)):
            model.objects.bulk_create(objs)
        return
    from psycopg.types.json import Jsonb

    if with_ids:
        _reserve_ids(model, objs)
    fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
    qn = connection.ops.quote_name
    json_fields = [isinstance(f, JSONField) for f in fields]
    attnames = [f.attname for f in fields]
    sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objs:
            copy.write_row(
                [
                    Jsonb(value) if is_json and value is not None else value
                    for value, is_json in zip(
                        (getattr(obj, name) for name in attnames), json_fields, strict=True
                    )
                ]
            )


def _auto_timestamps(model) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]


def _write_batch(batch) -> None:
    from escalation.models import Deadline

    reports = [r for r, _copies, _events, _clocks in batch]
    for r, _copies, _events, report_clocks in batch:
        open_due = [c.due_at for c in report_clocks if c.outcome == "open"]
        r.next_due_at = min(open_due) if open_due else None
    with transaction.atomic():
        _copy(Report, reports, with_ids=True)
        _history_rows(Report, [r.pk for r in reports], date_column="updated_at")
        Through = Report.copied_to.through
        copied = [Through(report_id=r.pk, authority_id=a) for r, cc, _e, _c in batch for a in cc]
        _copy(Through, copied)
        events, clocks = [], []
        for r, _copies, report_events, report_clocks in batch:
            for e in report_events:
                e.report_id = r.pk
            for c in report_clocks:
                c.report_id = r.pk
            events.extend(report_events)
            clocks.extend(report_clocks)
        _copy(ReportEvent, events)
        _copy(Deadline, clocks)
        forwardings = []
        for r in reports:
            forwarding = getattr(r, "demo_forwarding", None)
            if forwarding is not None:
                forwarding.report_id = r.pk
                forwardings.append(forwarding)
        _copy(Forwarding, forwardings)


def seed_reports(n: int, stdout=None, *, now: datetime | None = None, batch: int = BATCH) -> int:
    """Add `n` demo reports spread over the year before `now`. Returns how many were added."""
    if n <= 0:
        return 0
    now = now or timezone.now()
    world = _World(now)
    start = _next_sequence()
    rng = random.Random(SEED + start)
    created = 0
    pending = []
    for seq in range(start, start + n):
        pending.append(_make_report(world, rng, seq))
        if len(pending) >= batch:
            _write_batch(pending)
            created += len(pending)
            pending = []
            if stdout is not None:
                stdout.write(f"  {created}/{n} reports")
    if pending:
        _write_batch(pending)
        created += len(pending)
    return created
