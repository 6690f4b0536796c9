"""Reads behind the dashboard: every figure is aggregated in the database over the
materialised summary, narrowed by the caller's scope and the filters; the lists of reports
(watch list, exports) start from `reports.selectors.report_list`, i.e.
`Report.objects.visible_to(user)`, the one visibility primitive.

Counts over a period (`_counted`) read the whole calendar months in it from `MonthlyFigure`
(about a tenth of the rows) and the days before and after them from `ReportFact`, and add
the two up: a year of a million reports is counted from about 110 000 monthly rows plus the
odd days. Per-day, per-operator and percentile figures read `ReportFact` through indexes.

Scope (docs/ARCHITECTURE.md, Actors): a national official's figures cover every report (figures,
not contents); a receiving authority's staff see the figures of the reports routed to their
own authority. Lists never show a report `visible_to` hides."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.postgres.fields import ArrayField
from django.db import connection, connections
from django.db.models import (
    Aggregate,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import Authority, Organization, Province
from accounts.roles import roles_of
from escalation.constants import Outcome
from escalation.rules import is_overdue
from escalation.selectors import sweep_status
from reports.constants import SERIOUS, Channel, ReceivedVia, Severity, Status, Tier
from reports.models import Category, Finding, Report
from reports.selectors import report_list
from review.selectors import watch_list

from .filters import DashboardFilters
from .models import MonthlyFigure, ReportFact
from .summary import fact_measures

WATCH_LIMIT = 50
LATE_OPERATORS_LIMIT = 10


@dataclass(frozen=True)
class DashboardScope:
    national: bool
    authority_ids: tuple[int, ...] = ()  # reports routed to these authorities
    copied_ids: tuple[int, ...] = ()  # and reports copied to these (public-security liaisons)

    @property
    def authorities(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.authority_ids) | set(self.copied_ids)))

    def report_q(self, field: str = "pk") -> Q:
        """The reports in scope, on a queryset whose `field` is the report's id."""
        q = Q(**{"receiving_authority_id__in": self.authority_ids})
        if self.copied_ids:
            copies = Report.copied_to.through.objects.filter(
                authority_id__in=self.copied_ids
            ).values("report_id")
            q |= Q(**{f"{field}__in": copies})
        return q


def dashboard_scope(user) -> DashboardScope | None:
    """National officials (and admins): every report. Receiving authority staff: the
    reports routed to their authority; public-security liaisons: the reports copied to
    theirs (counted from the per-report facts, since the monthly figures are kept per
    receiving authority). Anyone else (operators): None, no dashboard."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return DashboardScope(national=True)
    roles = roles_of(user)
    if roles.is_national:
        return DashboardScope(national=True)
    routed = tuple(sorted(roles.reviewer_at))
    # a public-security liaison holds copies: the reports copied to its authority
    copied = tuple(sorted(roles.police_at))
    if not (routed or copied):
        return None
    return DashboardScope(national=False, authority_ids=routed, copied_ids=copied)


def facts(scope: DashboardScope, filters: DashboardFilters):
    qs = ReportFact.objects.filter(filters.fact_q())
    if not scope.national:
        qs = qs.filter(scope.report_q("report_id"))
    return qs.order_by()


def scoped_reports(*, user, scope: DashboardScope, filters: DashboardFilters, period=True):
    qs = report_list(user=user).prefetch_related(None).filter(filters.report_q(period=period))
    if not scope.national:
        qs = qs.filter(scope.report_q("pk"))
    return qs


# -- counts ----------------------------------------------------------------------------------

# `MonthlyFigure` key → `ReportFact` field, where they differ
FACT_FIELDS = {
    "province": "province_id",
    "sector": "sector_id",
    "category_class": "category_class_id",
}


def _whole_months(filters: DashboardFilters) -> tuple[date, date] | None:
    """The calendar months lying wholly inside the period: (first day of the first, first day
    after the last), or None."""
    first = filters.date_from
    if first.day != 1:
        first = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    after = filters.date_to + timedelta(days=1)
    after = after.replace(day=1)
    return (first, after) if first < after else None


def _parts(scope: DashboardScope, filters: DashboardFilters, by: list[str], measures: list[str]):
    """(queryset, group-by fields, count expressions) for each piece of the period: its whole
    months from `MonthlyFigure` when the filters allow, its other days from `ReportFact`."""
    months, monthly_q = _whole_months(filters), filters.monthly_q()
    # the monthly figures are kept per receiving authority: copies are counted from the facts
    if months is None or monthly_q is None or scope.copied_ids:
        day_ranges = [(filters.date_from, filters.date_to)]
    else:
        first, after = months
        day_ranges = [
            (start, end)
            for start, end in (
                (filters.date_from, first - timedelta(days=1)),
                (after, filters.date_to),
            )
            if start <= end
        ]
        monthly = MonthlyFigure.objects.filter(monthly_q, month__gte=first, month__lt=after)
        if not scope.national:
            monthly = monthly.filter(receiving_authority_id__in=scope.authority_ids)
        yield monthly.order_by(), by, {f"n_{m}": Sum(m) for m in measures}
    on_facts = fact_measures()
    fields = [FACT_FIELDS.get(f, f) for f in by]
    for start, end in day_ranges:
        qs = facts(scope, filters.with_period(start, end))
        yield qs, fields, {f"n_{m}": on_facts[m] for m in measures}


def _counted(
    scope: DashboardScope, filters: DashboardFilters, by: list[str], measures: list[str]
) -> dict[tuple, list[int]]:
    """`MonthlyFigure.MEASURES` (those named, in that order) over the period, grouped by
    `MonthlyFigure` key fields: {(value, …): [count, …]}. A missing value ("" or 0 in the
    monthly rows, NULL in the facts) comes back as None.

    Rows come straight from the cursor: a year's summary is some 20 000 groups, and
    Django's per-row conversions cost more than the loop itself."""
    result: dict[tuple, list[int]] = {}
    width = len(by)
    for qs, fields, counts in _parts(scope, filters, by, measures):
        grouped = qs.values(*fields).annotate(**counts).values_list(*fields, *counts)
        alias = grouped.db  # the read replica, inside `replica_reads()` (core/db.py)
        sql, params = grouped.query.get_compiler(using=alias).as_sql()
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            for row in cursor.fetchall():
                key = tuple(value or None for value in row[:width])
                total = result.get(key)
                if total is None:
                    result[key] = [n or 0 for n in row[width:]]
                else:
                    for i, n in enumerate(row[width:]):
                        total[i] += n or 0
    return result


def _labelled(counts: dict, choices) -> list[dict]:
    """In the order of the choices, with the label in the current language."""
    return [
        {"key": value, "label": str(label), "count": counts.get(value, 0)}
        for value, label in choices
    ]


SUMMARY_DIMENSIONS = ["severity", "status", "channel", "route", "category_class", "province"]


def stats_summary(*, scope: DashboardScope, filters: DashboardFilters) -> dict:
    # one GROUP BY over the five dimensions together (a few thousand combinations), summed
    # here into one count per value of each
    marginals = [Counter() for _field in SUMMARY_DIMENSIONS]
    for values, (n,) in _counted(scope, filters, SUMMARY_DIMENSIONS, ["reports"]).items():
        for counter, value in zip(marginals, values, strict=True):
            counter[value] += n
    by = dict(zip(SUMMARY_DIMENSIONS, marginals, strict=True))
    classes = Category.objects.filter(pk__in=[k for k in by["category_class"] if k])
    class_names = {c.pk: str(c) for c in classes}
    provinces = {p.pk: p.display_name for p in Province.objects.filter(pk__in=by["province"])}
    return {
        "total": sum(by["severity"].values()),
        "by_level": _labelled(by["severity"], reversed(Severity.choices)),
        "by_status": _labelled(by["status"], [c for c in Status.choices if c[0] != "draft"]),
        "by_channel": _labelled(by["channel"], Channel.choices),
        "by_route": _labelled(by["route"], ReceivedVia.choices),
        "by_category": sorted(
            (
                {"key": k or "", "label": class_names.get(k, "—"), "count": n}
                for k, n in by["category_class"].items()
            ),
            key=lambda row: (-row["count"], row["key"]),
        ),
        "by_province": sorted(
            (
                {"key": k, "label": provinces.get(k, k), "count": n}
                for k, n in by["province"].items()
            ),
            key=lambda row: (-row["count"], row["key"]),
        ),
    }


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
    """PostgreSQL's continuous percentiles, several from one sort: a list of floats."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(ARRAY[%(fractions)s]) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fractions: list[float], **extra):
        fractions = ", ".join(f"{float(f)!r}::float8" for f in fractions)
        super().__init__(
            expression, fractions=fractions, output_field=ArrayField(FloatField()), **extra
        )


def _seconds(field: str):
    # date_part gives a float8 (EXTRACT a numeric, several times slower to sort)
    return Func(Value("epoch"), F(field), function="date_part", output_field=FloatField())


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
    measures = list(MonthlyFigure.MEASURES)
    counted = _counted(scope, filters, ["receiving_authority_id", "channel"], measures)
    by_channel: dict[str, Counter] = {}
    by_authority: dict[int | None, Counter] = {}
    for (authority, channel), counts in counted.items():
        named = dict(zip(measures, counts, strict=True))
        by_channel.setdefault(channel, Counter()).update(named)
        by_authority.setdefault(authority, Counter()).update(named)
    qs = facts(scope, filters)
    # the authorities' names, with the findings on their reports (one query)
    names = Authority.objects.annotate(**finding_counts(qs)).in_bulk(
        [pk for pk in by_authority if pk]
    )
    found: dict[str, dict[str, int]] = {}
    for authority in names.values():
        for channel in Channel.values:
            row = found.setdefault(channel, dict.fromkeys(Finding.Kind.values, 0))
            for kind in Finding.Kind.values:
                row[kind] += getattr(authority, f"found_{channel}_{kind}")
    channels = []
    for value, label in Channel.choices:
        row = by_channel.get(value, {"file_due": 0, "file_late": 0})
        due, late = row["file_due"], row["file_late"]
        channels.append(
            {
                "channel": value,
                "label": str(label),
                "due": due,
                "on_time": due - late,
                "late": late,
                "on_time_share": round((due - late) / due, 4) if due else None,
                "findings": found.get(value, dict.fromkeys(Finding.Kind.values, 0)),
            }
        )

    forwarded = Q(forwarded_at__isnull=False)
    # Percentiles over the forwarded reports only, read from a covering index in authority
    # order (ordered-set aggregates do not run in parallel: keep their input small).
    timed = qs.filter(forwarded).values("receiving_authority_id")
    if connection.vendor == "postgresql":
        percentiles = {
            authority: tuple(values)
            for authority, values in timed.annotate(
                p=PercentileCont(_seconds("forward_delay"), [0.5, 0.95])
            ).values_list("receiving_authority_id", "p")
        }
    else:  # embedded run: few rows, percentiles in Python
        delays: dict = {}
        for authority, delay in timed.values_list("receiving_authority_id", "forward_delay"):
            delays.setdefault(authority, []).append(delay.total_seconds())
        percentiles = {
            authority: (_percentile(values, 0.5), _percentile(values, 0.95))
            for authority, values in delays.items()
        }
    authorities = []
    for pk, row in by_authority.items():
        authority = names.get(pk)
        median, p95 = percentiles.get(pk, (None, None))
        authorities.append(
            {
                "authority": pk,
                "name": authority.display_name if authority else "—",
                "kind": authority.kind if authority else "",
                "reports": row["reports"],
                "forwarded": row["forwarded"],
                "median_seconds": _round(median),
                "p95_seconds": _round(p95),
                "automatic_forwards": row["forward_automatic"],
                "late_forwards": row["forward_late"],
                "late_summaries": row["summary_late"],
            }
        )
    authorities.sort(key=lambda r: (-r["forwarded"], -r["reports"], r["name"]))
    return {"channels": channels, "authorities": authorities}


def finding_counts(fact_rows) -> dict:
    """Annotations of an Authority: the Art. 10 findings (迟报, 漏报, 谎报, 瞒报) on the
    reports of these facts it received, by channel and kind (`found_<channel>_<kind>`).
    Summed over the receiving authorities they are the counts by channel (a report has one
    receiving authority). Read from the findings themselves: they are few."""
    in_scope = fact_rows.values("report_id")
    annotations = {}
    for channel in Channel.values:
        for kind in Finding.Kind.values:
            counted = (
                Finding.objects.filter(
                    report__receiving_authority_id=OuterRef("pk"),
                    report__channel=channel,
                    kind=kind,
                    report_id__in=in_scope,
                )
                .order_by()
                .values("kind")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            )
            annotations[f"found_{channel}_{kind}"] = Coalesce(
                Subquery(counted, output_field=IntegerField()), 0
            )
    return annotations


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
        "url": reverse("review:report", args=[report.pk]),
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
    now = now or timezone.now()
    # Candidates from the summary (indexed, and current: the request refreshed it), then
    # the live rows through `visible_to`, with every condition of the watch list (one
    # definition: review.selectors.watch_list) checked again on them.
    candidates = facts(scope, filters)
    reports = scoped_reports(user=user, scope=scope, filters=filters).select_related(
        "organization", "receiving_authority"
    )
    awaiting_ids = candidates.filter(tier=Tier.RECEIVING, severity__in=list(SERIOUS)).exclude(
        status=Status.CLOSED
    )
    awaiting = watch_list(reports.filter(pk__in=awaiting_ids.values("report_id")))
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
            "overdue": is_overdue(outcome=Outcome.OPEN, due_at=r.forward_due_at, now=now),
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
    now = now or timezone.now()
    status = sweep_status(now)
    status["summary_as_of"] = (
        summary_state.refreshed_at.isoformat()
        if (summary_state is not None and summary_state.refreshed_at)
        else None
    )
    return status
