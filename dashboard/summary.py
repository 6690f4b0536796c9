"""Keeps `ReportFact` (the dashboard's materialised summary) current.

* A full refresh rebuilds it with one `INSERT … SELECT` in the database (no rows through
  Python): `manage.py dashboard_refresh --full`, after a bulk load.
* `MonthlyFigure` (the same counts rolled up by month) moves in step: a full refresh rebuilds
  it from the facts; an incremental one subtracts the old facts of the reports it re-derives
  and adds the new ones (an upsert per batch), in the same transaction.
* An incremental refresh re-derives only the reports that changed since the last one: the
  reports whose history (simple-history: report, clock or forwarding saved by a service)
  has a row since then, and reports with a higher id than any read so far (new reports,
  including bulk-loaded demo data). It costs a handful of indexed queries when nothing
  changed, so every stats request runs it first (`summary_ensure_fresh`): the figures are
  live. A large backlog (a bulk load) is handed to a Celery task instead of the request.

Reads the rows the services wrote; never writes to them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import OperationalError, connection, transaction
from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from core.tasks import enqueue_on_commit
from escalation.models import Deadline
from reports.models import Forwarding, Report

from .models import MonthlyFigure, ReportFact, SummaryState

BEIJING = ZoneInfo("Asia/Shanghai")
# Re-read changes this far back: covers transactions that commit a little after their
# history rows were stamped, and clock skew between web and worker hosts.
HISTORY_SLACK = timedelta(seconds=60)
# Above this many changed reports, refresh in a Celery task rather than in the request.
INLINE_LIMIT = 20_000
CHUNK = 500

FACT_COLUMNS = [
    "report_id",
    "submitted_at",
    "day",
    "organization_id",
    "province_id",
    "sector_id",
    "receiving_authority_id",
    "channel",
    "route",
    "severity",
    "category_id",
    "category_class_id",
    "status",
    "tier",
    "file_due",
    "file_late",
    "forwarded_at",
    "forward_delay",
    "forward_automatic",
    "forward_late",
    "summary_late",
]


def _clock(kind: str, **conditions):
    return Exists(Deadline.objects.filter(report=OuterRef("pk"), kind=kind, **conditions))


def _fact_source(reports, order_by=()):
    """The fact columns, computed in the database from the reports, their clocks and their
    forwarding. Annotations are added in `FACT_COLUMNS` order: that is the SELECT order."""
    exprs = {
        "f_report_id": F("pk"),
        "f_submitted_at": F("submitted_at"),
        "f_day": TruncDate("submitted_at", tzinfo=BEIJING),
        "f_organization_id": F("organization_id"),
        "f_province_id": F("organization__province_id"),
        "f_sector_id": F("organization__sector_id"),
        "f_receiving_authority_id": F("receiving_authority_id"),
        "f_channel": F("channel"),
        "f_route": F("received_via"),
        "f_severity": F("severity"),
        "f_category_id": F("category_id"),
        "f_category_class_id": Coalesce("category__parent_id", "category_id"),
        "f_status": F("status"),
        "f_tier": F("tier"),
        "f_file_due": _clock("file", outcome__in=["met", "late"]),
        "f_file_late": _clock("file", lateness__isnull=False),
        "f_forwarded_at": F("forwarding__at"),
        "f_forward_delay": ExpressionWrapper(
            F("forwarding__at") - F("submitted_at"), output_field=DurationField()
        ),
        "f_forward_automatic": Coalesce("forwarding__automatic", False),
        "f_forward_late": _clock("forward", lateness__isnull=False),
        "f_summary_late": _clock("summary", lateness__isnull=False),
    }
    assert [name[2:] for name in exprs] == FACT_COLUMNS
    qs = reports.filter(submitted_at__isnull=False).order_by(*order_by)
    for name, expr in exprs.items():  # one by one: keeps the order
        qs = qs.annotate(**{name: expr})
    return qs.values_list(*exprs)


def _insert_facts(reports, order_by=()) -> int:
    sql, params = _fact_source(reports, order_by).query.sql_with_params()
    table = connection.ops.quote_name(ReportFact._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in FACT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
        return cursor.rowcount


def fact_measures() -> dict:
    """`MonthlyFigure.MEASURES`, counted on `ReportFact` rows (the one definition of each)."""
    forwarded = Q(forwarded_at__isnull=False)
    return {
        "reports": Count("pk"),
        "file_due": Count("pk", filter=Q(file_due=True)),
        "file_late": Count("pk", filter=Q(file_due=True, file_late=True)),
        "forwarded": Count("pk", filter=forwarded),
        "forward_automatic": Count("pk", filter=forwarded & Q(forward_automatic=True)),
        "forward_late": Count("pk", filter=Q(forward_late=True)),
        "summary_late": Count("pk", filter=Q(summary_late=True)),
    }


def _monthly_source(facts, sign: int):
    """`MonthlyFigure` rows (key, then measures) counted from these facts, times `sign`."""
    text = CharField()
    key = {
        "m_month": TruncMonth("day"),
        "m_receiving_authority_id": Coalesce(
            "receiving_authority_id", Value(0), output_field=BigIntegerField()
        ),
        "m_province": Coalesce("province_id", Value(""), output_field=text),
        "m_sector": Coalesce("sector_id", Value(""), output_field=text),
        "m_channel": F("channel"),
        "m_route": F("route"),
        "m_severity": F("severity"),
        "m_category_class": Coalesce("category_class_id", Value(""), output_field=text),
        "m_status": F("status"),
    }
    measures = {f"m_{name}": count for name, count in fact_measures().items()}
    assert [n[2:] for n in key] == list(MonthlyFigure.KEY)
    assert [n[2:] for n in measures] == list(MonthlyFigure.MEASURES)
    qs = facts.order_by()
    for name, expr in key.items():
        qs = qs.annotate(**{name: expr})
    qs = qs.values(*key)
    for name, expr in measures.items():
        if sign != 1:
            expr = ExpressionWrapper(expr * sign, output_field=IntegerField())
        qs = qs.annotate(**{name: expr})
    return qs.values_list(*key, *measures)


def _add_monthly(facts, sign: int = 1) -> None:
    """Add (or with sign=-1, take away) these facts' counts to `MonthlyFigure`."""
    sql, params = _monthly_source(facts, sign).query.sql_with_params()
    qn = connection.ops.quote_name
    table = qn(MonthlyFigure._meta.db_table)
    key = ", ".join(qn(MonthlyFigure._meta.get_field(n).column) for n in MonthlyFigure.KEY)
    measures = [qn(n) for n in MonthlyFigure.MEASURES]
    updates = ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m in measures)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key}, {', '.join(measures)}) {sql} "
            f"ON CONFLICT ({key}) DO UPDATE SET {updates}",
            params,
        )


def _changed_report_ids(since: datetime) -> set[int]:
    """Reports whose row, clocks or forwarding were saved since then (one query)."""
    # no ORDER BY in the parts of a UNION (history models order by date; SQLite refuses it)
    reports = Report.history.filter(history_date__gte=since).order_by().values_list("id")
    clocks = Deadline.history.filter(history_date__gte=since).order_by().values_list("report_id")
    forwards = (
        Forwarding.history.filter(history_date__gte=since).order_by().values_list("report_id")
    )
    return {pk for (pk,) in reports.union(clocks, forwards)}


def _truncate() -> None:
    if connection.vendor == "postgresql":
        tables = (ReportFact._meta.db_table, MonthlyFigure._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(map(connection.ops.quote_name, tables))}")
    else:
        ReportFact.objects.all().delete()
        MonthlyFigure.objects.all().delete()


def summary_vacuum(*, analyze: bool = False) -> None:
    """After a rebuild or a bulk load: mark the summary's pages all-visible, as autovacuum
    would later, so that the figures read their indexes alone (index-only scans). PostgreSQL
    only, outside a transaction. A full refresh has already taken fresh statistics
    (`analyze` is for a summary loaded otherwise)."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(
        connection.ops.quote_name(model._meta.db_table) for model in (ReportFact, MonthlyFigure)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {'ANALYZE ' if analyze else ''}{tables}")


def _top_report_id() -> int:
    return Report.objects.aggregate(top=Max("pk"))["top"] or 0


def _locked_state(wait: bool) -> SummaryState | None:
    """The state row, locked for this transaction; None when another process holds it."""
    state = SummaryState.objects.select_for_update(skip_locked=not wait).filter(pk=1).first()
    if state is None and not SummaryState.objects.filter(pk=1).exists():
        SummaryState.objects.get_or_create(pk=1)
        state = SummaryState.objects.select_for_update(skip_locked=not wait).filter(pk=1).first()
    return state


def _wait_briefly(seconds: int = 3) -> SummaryState | None:
    """Another request is refreshing (the page asks for its figures all at once): wait for
    it a little, so that this one reads the same current figures. None on timeout."""
    if connection.vendor != "postgresql":
        return None
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{int(seconds)}s'")
            return SummaryState.objects.select_for_update().filter(pk=1).first()
    except OperationalError:
        return None


def _refresh(state: SummaryState, *, top: int, full: bool, now: datetime) -> SummaryState:
    if full or state.history_seen_at is None:
        _truncate()
        # in order of submission: a period's rows then lie together on disk, as the rows
        # appended by incremental refreshes do
        _insert_facts(Report.objects.all(), order_by=["submitted_at"])
        _add_monthly(ReportFact.objects.all())
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # plans for the new rows
                for model in (ReportFact, MonthlyFigure):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    else:
        changed = _changed_report_ids(state.history_seen_at - HISTORY_SLACK)
        if top > state.max_report_id:
            _insert_facts(Report.objects.filter(pk__gt=state.max_report_id, pk__lte=top))
            _add_monthly(ReportFact.objects.filter(pk__gt=state.max_report_id, pk__lte=top))
        changed = sorted(i for i in changed if i <= state.max_report_id)
        for start in range(0, len(changed), CHUNK):
            chunk = changed[start : start + CHUNK]
            old = ReportFact.objects.filter(report_id__in=chunk)
            _add_monthly(old, -1)
            old.delete()
            _insert_facts(Report.objects.filter(pk__in=chunk))
            _add_monthly(ReportFact.objects.filter(report_id__in=chunk))
        if changed:
            MonthlyFigure.objects.filter(reports=0).delete()
    state.refreshed_at = state.history_seen_at = now
    state.max_report_id = top
    SummaryState.objects.filter(pk=state.pk).update(
        refreshed_at=now, history_seen_at=now, max_report_id=top
    )
    return state


def summary_refresh(
    *, full: bool = False, now: datetime | None = None, wait: bool = True
) -> SummaryState | None:
    """Bring the summary up to date and return its state row (None when another process is
    refreshing and `wait` is False)."""
    now = now or timezone.now()
    with transaction.atomic():
        state = _locked_state(wait)
        if state is None:
            return None
        return _refresh(state, top=_top_report_id(), full=full, now=now)


def summary_ensure_fresh(*, now: datetime | None = None) -> SummaryState:
    """Called before the figures: refresh inline when the backlog of new reports is small
    (the usual case: a few indexed queries); otherwise hand it to a Celery task and show
    what the summary holds, with its time. When another request is refreshing right now,
    read what is committed."""
    now = now or timezone.now()
    top = _top_report_id()
    with transaction.atomic():
        state = _locked_state(wait=False) or _wait_briefly()
        if state is not None:
            # reports not read yet (all of them when the summary is to be rebuilt), counted
            # up to the limit only (ids may have gaps)
            unread = Report.objects.filter(pk__lte=top)
            if state.history_seen_at is not None:
                unread = unread.filter(pk__gt=state.max_report_id)
            backlog = unread.values("pk")[: INLINE_LIMIT + 1].count()
            if backlog <= INLINE_LIMIT:
                return _refresh(state, top=top, full=False, now=now)
    if state is None:
        return SummaryState.objects.get(pk=1)
    enqueue_on_commit("dashboard.summary_refresh")
    return state
