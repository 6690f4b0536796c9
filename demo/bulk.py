"""Demo reports for dashboards and benchmarks: `python manage.py seed_demo --reports N`.

Data at rest, written in bulk (docs/ARCHITECTURE.md: "1 000 000 in minutes, not hours"): the
rows a real run of the services would have left — the report with its routing and grading,
its events, its clocks (met, late, open or not required), a history row — are computed here
in memory and written in batches with COPY (`bulk_create` on SQLite). No service is called
per report: that would take hours, and the services would read the clock instead of the past
instants we need. Everything derived comes from the same rules as the services — routing
(`reports.routing.plan_route`, resolved against an in-memory index of the authorities),
grading (`reports.grading.suggest`), the clocks' instants, outcomes and next firing
(`escalation.rules`) — so the seeded rows are what the portal would have computed.

Deterministic: the random generator is seeded from the number of demo reports already
present, so a given database and `now` always receive the same reports."""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import IntegerField, Max
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from accounts.models import Authority, Province, SameLevelDepartment
from core.history import history_copy
from escalation import rules
from escalation.constants import Kind, Outcome
from escalation.models import Deadline
from reports.constants import (
    FILE_LIMITS,
    FORWARD_LIMITS,
    RANSOMWARE_CATEGORY,
    REPORTABLE,
    SERIOUS,
    Channel,
    Severity,
    Status,
    Tier,
    max_severity,
    reference_year,
)
from reports.digest import content_sha256
from reports.models import Category, Forwarding, Report, ReportEvent
from reports.routing import (
    AuthorityKey,
    copies_national_police_at_forward,
    national_police,
    plan_route,
)
from reports.selectors import grading_criteria

from .pool import LEVELS, ensure_organization_pool, indicator_samples
from .writing import copy_rows

REFERENCE_PREFIX = "DEMO-"  # DEMO-{year}-{n:07d}; n runs on across years and runs
BATCH = 5000
SEED = 20251101
YEAR = timedelta(days=365)

LEVEL_WEIGHTS = (30, 45, 18, 7)
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


# -- one report ------------------------------------------------------------------------------


class _World:
    def __init__(self, now: datetime):
        self.now = now
        self.orgs = ensure_organization_pool()
        self.authorities = {
            AuthorityKey.of(a): a.pk
            for a in Authority.objects.filter(is_national=False).exclude(kind="national_cac")
        }
        self.categories = list(
            Category.objects.filter(children__isnull=True)
            .order_by("code")
            .values_list("code", "name")
        )
        self.provinces = dict(Province.objects.values_list("code", "name"))
        self.national_police = national_police().pk
        # Art. 4: the same-level departments each provincial CAC notifies at forwarding
        self.same_level: dict[str, list[tuple[int, int | None]]] = {}
        for department in SameLevelDepartment.objects.filter(active=True).order_by("code"):
            self.same_level.setdefault(department.province_id, []).append(
                (department.pk, department.authority_id)
            )
        self.samples = indicator_samples(grading_criteria())
        self.policies = {c: rules.statutory_policy(c) for c in FILE_LIMITS}


def _route(world: _World, org, involves_cii: bool, suspected_crime: bool):
    """The routing rule's plan, resolved against the world's index (no query per report)."""
    plan = plan_route(org, involves_cii=involves_cii, suspected_crime=suspected_crime)
    copies = [world.authorities[key] for key in plan.copies]
    copies += [world.authorities[k] for k in plan.copies_if_configured if k in world.authorities]
    return plan.channel, world.authorities[plan.receiving], copies


def _status_for(rng: random.Random, age: timedelta) -> str:
    if age < timedelta(days=2):
        weights = (30, 40, 30, 0)
    elif age < timedelta(days=30):
        weights = (5, 15, 40, 40)
    else:
        weights = (2, 3, 10, 85)
    return rng.choices(("draft", "submitted", "in_review", "closed"), weights)[0]


def _clock(world: _World, report: Report, kind: str, opened_at: datetime, **fields):
    policy = world.policies[report.channel]
    times = rules.deadline_times(kind, opened_at, policy)
    deadline = Deadline(
        report=report,
        kind=kind,
        opened_at=opened_at,
        statutory_due_at=times.statutory_due_at,
        due_at=times.due_at,
        act_at=times.act_at,
        remind_at=[t.isoformat() for t in times.remind_at],
        policy_channel=report.channel,
        policy_within=rules.policy_window(kind, policy),
        policy_margin=policy.auto_forward_margin if kind == Kind.FORWARD else None,
        **fields,
    )
    deadline.demo_times = times
    return deadline


def _meet(deadline, at: datetime) -> None:
    """Met at `at`, as `deadline_meet` records it (reminders before then were sent)."""
    deadline.met_at = at
    deadline.outcome, deadline.lateness = rules.met_outcome(
        at, deadline.due_at, deadline.statutory_due_at
    )
    deadline.next_fire_at = None
    deadline.reminders_sent = sum(1 for t in deadline.demo_times.remind_at if t < at)


SWEEP_LAG = timedelta(seconds=30)  # how late the seeded sweep records a breach


def _leave_open(deadline, now: datetime, events: list, report) -> None:
    """An open clock as the sweep would have left it at `now`: reminders sent, a breach
    recorded (SWEEP_LAG after the statutory limit) once the limit passed, the next instant
    still to act on."""
    times = deadline.demo_times
    progress = rules.progress_at(times, now)
    deadline.reminders_sent = progress.reminders_sent
    if progress.breach_recorded and now > times.statutory_due_at:
        acted = times.statutory_due_at + SWEEP_LAG
        deadline.lateness = acted - times.statutory_due_at
        events.append(
            ReportEvent(
                report=report,
                kind=ReportEvent.Kind.DEADLINE_BREACHED,
                at=acted,
                automatic=True,
                note=f"{deadline.kind}: statutory limit passed",
            )
        )
    deadline.next_fire_at = rules.pending_fire(times, progress)


ROUTES = ("web", "api", "hotline", "email", "fax", "wechat")
ROUTE_WEIGHTS = (55, 25, 8, 7, 2, 3)


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
        reference=f"{REFERENCE_PREFIX}{reference_year(created)}-{seq:07d}",
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
            clock = _clock(world, report, Kind.FILE, discovered)
            _leave_open(clock, now, events, report)
            clocks.append(clock)
        return report, copies, events, clocks

    report.status = status
    report.version = 2
    report.submitted_at = submitted
    # the route of receipt (MEASURES.md §7), for the figures by route; received on submission
    report.received_via = rng.choices(ROUTES, ROUTE_WEIGHTS)[0]
    report.received_at = submitted
    report.submitted_by_id = user.pk
    if late:
        report.late_reason = rng.choice(LATE_REASONS)
    report.submitted_sha256 = content_sha256(report, organization_uscc=org.uscc)
    events.append(
        ReportEvent(report=report, kind=ReportEvent.Kind.SUBMITTED, at=submitted, actor_id=user.pk)
    )
    last = submitted
    if severity in REPORTABLE:
        clock = _clock(world, report, Kind.FILE, discovered)
        _meet(clock, submitted)
        clocks.append(clock)

    if severity in SERIOUS:
        forward = _clock(world, report, Kind.FORWARD, submitted)
        window = FORWARD_LIMITS[channel]
        times = forward.demo_times
        if status != "submitted" and rng.random() < 0.1:  # the reviewer graded it down
            graded = submitted + timedelta(seconds=rng.randint(60, int(window.total_seconds() / 2)))
            report.severity_reviewed = report.severity = Severity.SIGNIFICANT
            report.grade_reason = "经核实影响范围有限"
            forward.outcome, forward.acted_at, forward.next_fire_at = (
                Outcome.NOT_REQUIRED,
                graded,
                None,
            )
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
            _leave_open(forward, now, events, report)
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
            _meet(forward, forwarded)
            forward.acted_at = forwarded
            report.tier = Tier.NATIONAL
            report.forwarded_at = forwarded
            report.demo_forwarding = Forwarding(
                at=forwarded, automatic=automatic, from_authority_id=receiving
            )
            if copies_national_police_at_forward(channel):
                copies.append(world.national_police)
            if channel == Channel.GENERAL:  # the province's configured departments
                notified = world.same_level.get(org.province_id, [])
                report.demo_same_level = [pk for pk, _authority in notified]
                if not notified:
                    report.demo_forwarding.same_level_reason = "本省未配置同级部门。"
                copies.extend(a for _pk, a in notified if a is not None and a not in copies)
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


def _write_batch(batch) -> None:
    reports = [r for r, _copies, _events, _clocks in batch]
    for r, _copies, _events, report_clocks in batch:
        open_due = [c.due_at for c in report_clocks if c.outcome == Outcome.OPEN]
        r.next_due_at = min(open_due) if open_due else None
    with transaction.atomic():
        copy_rows(Report, reports, with_ids=True)
        history_copy(
            Report,
            dict.fromkeys((r.pk for r in reports), "+"),
            date_column="updated_at",
            reason="demo data",
        )
        Through = Report.copied_to.through
        copied = [Through(report_id=r.pk, authority_id=a) for r, cc, _e, _c in batch for a in cc]
        copy_rows(Through, copied)
        events, clocks = [], []
        for r, _copies, report_events, report_clocks in batch:
            for e in report_events:
                e.report_id = r.pk
            for c in report_clocks:
                c.report_id = r.pk
            events.extend(report_events)
            clocks.extend(report_clocks)
        copy_rows(ReportEvent, events)
        copy_rows(Deadline, clocks)
        forwardings = []
        for r in reports:
            forwarding = getattr(r, "demo_forwarding", None)
            if forwarding is not None:
                forwarding.report_id = r.pk
                forwardings.append(forwarding)
        copy_rows(Forwarding, forwardings, with_ids=True)
        Notified = Forwarding.same_level_departments.through
        copy_rows(
            Notified,
            [
                Notified(forwarding_id=f.pk, sameleveldepartment_id=pk)
                for r in reports
                if (f := getattr(r, "demo_forwarding", None)) is not None
                for pk in getattr(r, "demo_same_level", ())
            ],
        )


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
