"""Reads behind the dashboard: every figure is one aggregate query in the database over the
materialised summary (`ReportFact`), narrowed by the caller's scope and the filters; the
lists of reports (watch list, exports) start from `reports.selectors.report_list`, i.e.
`Report.objects.visible_to(user)`, the one visibility primitive.

Scope (ARCHITECTURE.md, Actors): a national official's figures cover every report (figures,
not contents); a receiving authority's staff see the figures of the reports routed to their
own authority. Lists never show a report `visible_to` hides."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Func, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.models import Authority, Membership, Organization, Province
from reports.constants import SERIOUS, Channel, Severity, Status, Tier
from reports.models import Category
from reports.selectors import report_list

from .filters import DashboardFilters
from .models import ReportFact

DASHBOARD_ROLES = (
    Membership.Role.NATIONAL_OFFICIAL,
    Membership.Role.REVIEWER,
    Membership.Role.POLICE_LIAISON,
)
WATCH_LIMIT = 50
LATE_OPERATORS_LIMIT = 10


@dataclass(frozen=True)
class DashboardScope:
    national: bool
    authority_ids: tuple[int, ...] = ()


def dashboard_scope(user) -> DashboardScope | None:
    """National officials (and admins): every report. Receiving authority staff: the reports
    routed to their authority. Anyone else (operators): None, no dashboard."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return DashboardScope(national=True)
    memberships = [m for m in user.memberships.all() if m.role in DASHBOARD_ROLES]
    if any(m.role == Membership.Role.NATIONAL_OFFICIAL for m in memberships):
        return DashboardScope(national=True)
    ids = tuple(sorted({m.authority_id for m in memberships if m.authority_id}))
    return DashboardScope(national=False, authority_ids=ids) if ids else None


def facts(scope: DashboardScope, filters: DashboardFilters):
    qs = ReportFact.objects.filter(filters.fact_q())
    if not scope.national:
        qs = qs.filter(receiving_authority_id__in=scope.authority_ids)
    return qs.order_by()


def scoped_reports(*, user, scope: DashboardScope, filters: DashboardFilters, period=True):
    qs = report_list(user=user).prefetch_related(None).filter(filters.report_q(period=period))
    if not scope.national:
        qs = qs.filter(receiving_authority_id__in=scope.authority_ids)
    return qs


# -- counts ----------------------------------------------------------------------------------


def _labelled(counts: dict, choices) -> list[dict]:
    """In the order of the choices, with the label in the current language."""
    return [
        {"key": value, "label": str(label), "count": counts.get(value, 0)}
        for value, label in choices
    ]


def _grouped(qs, field: str) -> dict:
    return {row[field]: row["n"] for row in qs.values(field).annotate(n=Count("pk"))}


def stats_summary(*, scope: DashboardScope, filters: DashboardFilters) -> dict:
    qs = facts(scope, filters)
    by = _grouped_sets(qs, ["severity", "status", "channel", "category_class_id", "province_id"])
    classes = Category.objects.filter(pk__in=[k for k in by["category_class_id"] if k])
    class_names = {c.pk: str(c) for c in classes}
    provinces = {p.pk: p.display_name for p in Province.objects.filter(pk__in=by["province_id"])}
    return {
        "total": sum(by["severity"].values()),
        "by_level": _labelled(by["severity"], reversed(Severity.choices)),
        "by_status": _labelled(by["status"], [c for c in Status.choices if c[0] != "draft"]),
        "by_channel": _labelled(by["channel"], Channel.choices),
        "by_category": sorted(
            (
                {"key": k or "", "label": class_names.get(k, "—"), "count": n}
                for k, n in by["category_class_id"].items()
            ),
            key=lambda row: (-row["count"], row["key"]),
        ),
        "by_province": sorted(
            (
                {"key": k, "label": provinces.get(k, k), "count": n}
                for k, n in by["province_id"].items()
            ),
            key=lambda row: (-row["count"], row["key"]),
        ),
    }


def _grouped_sets(qs, fields: list[str]) -> dict[str, dict]:
    """Counts by each field, from one GROUP BY over all the fields together: the database
    aggregates in parallel and returns at most a few thousand combinations, which are
    summed up here into one count per value of each field."""
    result: dict[str, dict] = {field: {} for field in fields}
    for *values, n in qs.values_list(*fields).annotate(n=Count("pk")).order_by():
        for field, value in zip(fields, values, strict=True):
            result[field][value] = result[field].get(value, 0) + n
    return result


def stats_trend(*, scope: DashboardScope, filters: DashboardFilters) -> dict:
    """Reports per day of submission over the period, days without reports included."""
    counts = dict(facts(scope, filters).values_list("day").annotate(n=Count("pk")))
    days, day = [], filters.date_from
    while day <= filters.date_to:
        days.append({"date": day.isoformat(), "count": counts.get(day, 0)})
        day += timedelta(days=1)
    return {
        "date_from": filters.date_from.isoformat(),
        "date_to": filters.date_to.isoformat(),
        "days": days,
    }


# -- compliance ------------------------------------------------------------------------------


class PercentileCont(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), output_field=FloatField(), **extra)


def _seconds(field: str):
    return Func(F(field), template="EXTRACT(EPOCH FROM %(expressions)s)", output_field=FloatField())


def _percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation, as PostgreSQL's percentile_cont (the SQLite fallback)."""
    if not values:
        return None
    values = sorted(values)
    position = (len(values) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def stats_compliance(*, scope: DashboardScope, filters: DashboardFilters) -> dict:
    qs = facts(scope, filters)
    channel_rows = {
        row["channel"]: row
        for row in qs.filter(file_due=True)
        .values("channel")
        .annotate(due=Count("pk"), late=Count("pk", filter=Q(file_late=True)))
    }
    channels = []
    for value, label in Channel.choices:
        row = channel_rows.get(value, {"due": 0, "late": 0})
        on_time = row["due"] - row["late"]
        channels.append(
            {
                "channel": value,
                "label": str(label),
                "due": row["due"],
                "on_time": on_time,
                "late": row["late"],
                "on_time_share": round(on_time / row["due"], 4) if row["due"] else None,
            }
        )

    forwarded = Q(forwarded_at__isnull=False)
    aggregates = {
        "reports": Count("pk"),
        "forwarded": Count("pk", filter=forwarded),
        "automatic": Count("pk", filter=forwarded & Q(forward_automatic=True)),
        "late_forwards": Count("pk", filter=Q(forward_late=True)),
        "late_summaries": Count("pk", filter=Q(summary_late=True)),
    }
    rows = list(qs.values("receiving_authority_id").annotate(**aggregates))
    # Percentiles over the forwarded reports only (ordered-set aggregates do not run in
    # parallel: keep their input small).
    timed = qs.filter(forwarded).values("receiving_authority_id")
    if connection.vendor == "postgresql":
        percentiles = {
            row["receiving_authority_id"]: (row["median"], row["p95"])
            for row in timed.annotate(
                median=PercentileCont(_seconds("forward_delay"), 0.5),
                p95=PercentileCont(_seconds("forward_delay"), 0.95),
            )
        }
    else:  # embedded run: few rows, percentiles in Python
        delays: dict = {}
        for authority, delay in timed.values_list("receiving_authority_id", "forward_delay"):
            delays.setdefault(authority, []).append(delay.total_seconds())
        percentiles = {
            authority: (_percentile(values, 0.5), _percentile(values, 0.95))
            for authority, values in delays.items()
        }
    for row in rows:
        row["median"], row["p95"] = percentiles.get(row["receiving_authority_id"], (None, None))
    names = Authority.objects.in_bulk([r["receiving_authority_id"] for r in rows])
    authorities = []
    for row in rows:
        authority = names.get(row["receiving_authority_id"])
        authorities.append(
            {
                "authority": row["receiving_authority_id"],
                "name": authority.display_name if authority else "—",
                "kind": authority.kind if authority else "",
                "reports": row["reports"],
                "forwarded": row["forwarded"],
                "median_seconds": _round(row["median"]),
                "p95_seconds": _round(row["p95"]),
                "automatic_forwards": row["automatic"],
                "late_forwards": row["late_forwards"],
                "late_summaries": row["late_summaries"],
            }
        )
    authorities.sort(key=lambda r: (-r["forwarded"], -r["reports"], r["name"]))
    return {"channels": channels, "authorities": authorities}


def _round(value):
    return None if value is None else round(value, 1)


def stats_late_operators(
    *, scope: DashboardScope, filters: DashboardFilters, limit: int = LATE_OPERATORS_LIMIT
) -> dict:
    """The operators with the most reports filed after the statutory limit (迟报)."""
    rows = list(
        facts(scope, filters)
        .filter(file_late=True)
        .values("organization_id")
        .annotate(late=Count("pk"))
        .order_by("-late", "organization_id")[:limit]
    )
    orgs = Organization.objects.select_related("province").in_bulk(
        [r["organization_id"] for r in rows]
    )
    operators = []
    for row in rows:
        org = orgs.get(row["organization_id"])
        operators.append(
            {
                "organization": row["organization_id"],
                "name": org.name if org else "—",
                "province": org.province.display_name if org else "",
                "late": row["late"],
            }
        )
    return {"operators": operators}


# -- live lists ------------------------------------------------------------------------------


def _report_row(report) -> dict:
    return {
        "id": report.pk,
        "reference": report.reference or f"#{report.pk}",
        "title": report.title,
        "level": report.severity,
        "level_label": report.get_severity_display(),
        "channel": report.channel,
        "channel_label": report.get_channel_display(),
        "organization": report.organization.name,
        "receiving_authority": report.receiving_authority.display_name,
        "submitted_at": report.submitted_at,
        "url": reverse("reports:detail", args=[report.pk]),
    }


def stats_watchlist(
    *,
    user,
    scope: DashboardScope,
    filters: DashboardFilters,
    now: datetime | None = None,
    limit: int = WATCH_LIMIT,
) -> dict:
    """Live, from the reports themselves: serious reports still at a receiving authority with
    a running forward clock (closest to its limit first), and reports forwarded to the
    national tier in the last 24 hours (latest first)."""
    from escalation.models import Deadline

    now = now or timezone.now()
    # Candidates from the summary (indexed, and current: the request refreshed it), then
    # the live rows through `visible_to`, with every condition checked again on them.
    candidates = facts(scope, filters)
    reports = scoped_reports(user=user, scope=scope, filters=filters).select_related(
        "organization", "receiving_authority"
    )
    clock = Deadline.objects.filter(report=OuterRef("pk"), kind="forward", outcome="open")
    clock = clock.order_by("due_at", "pk")
    awaiting_ids = candidates.filter(tier=Tier.RECEIVING, severity__in=list(SERIOUS)).exclude(
        status=Status.CLOSED
    )
    awaiting = (
        reports.filter(pk__in=awaiting_ids.values("report_id"))
        .filter(tier=Tier.RECEIVING, severity__in=list(SERIOUS))
        .exclude(status__in=[Status.DRAFT, Status.CLOSED])
        .annotate(
            forward_due_at=Subquery(clock.values("due_at")[:1]),
            forward_statutory_due_at=Subquery(clock.values("statutory_due_at")[:1]),
            forward_act_at=Subquery(clock.values("act_at")[:1]),
        )
        .filter(forward_due_at__isnull=False)
        .order_by("forward_due_at", "pk")
    )
    since = now - timedelta(hours=24)
    forwarded = (
        reports.filter(
            pk__in=candidates.filter(forwarded_at__gte=since).values("report_id"),
            forwarding__at__gte=since,
        )
        .annotate(
            forwarding_at=F("forwarding__at"),
            forwarding_automatic=F("forwarding__automatic"),
        )
        .order_by("-forwarding__at", "-pk")
    )
    awaiting_rows = [
        {
            **_report_row(r),
            "due_at": r.forward_due_at,
            "statutory_due_at": r.forward_statutory_due_at,
            "act_at": r.forward_act_at,
            "overdue": r.forward_due_at < now,
        }
        for r in awaiting[:limit]
    ]
    forwarded_rows = [
        {
            **_report_row(r),
            "forwarded_at": r.forwarding_at,
            "automatic": r.forwarding_automatic,
        }
        for r in forwarded[:limit]
    ]
    return {
        "now": now,
        "awaiting": awaiting_rows,
        "awaiting_total": _total(awaiting, awaiting_rows, limit),
        "forwarded": forwarded_rows,
        "forwarded_total": _total(forwarded, forwarded_rows, limit),
    }


def _total(qs, rows: list, limit: int) -> int:
    return len(rows) if len(rows) < limit else qs.count()


def stats_health(*, now: datetime | None = None, summary_state=None) -> dict:
    from escalation.views import sweep_status

    now = now or timezone.now()
    status = sweep_status(now)
    status["summary_as_of"] = (
        summary_state.refreshed_at.isoformat()
        if (summary_state is not None and summary_state.refreshed_at)
        else None
    )
    return status
