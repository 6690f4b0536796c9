"""Reads. Every selector starts from `Report.objects.visible_to(user)`; not visible = 404."""

from functools import lru_cache

from django.contrib.postgres.fields import ArrayField
from django.db import connections, router
from django.db.models import BigIntegerField, Prefetch, Q
from django.db.models.expressions import RawSQL
from django.http import Http404

from accounts.models import Organization
from accounts.roles import roles_of
from core.compiled import ID, CompiledRead, compile_read, run_read
from core.refcache import ReferenceCache

from . import workflow
from .constants import Status
from .digest import content_sha256
from .grading import Criterion
from .models import Category, GradingCriterion, Report, ReportEvent, SummaryReport, visibility


def report_list(*, user):
    return (
        Report.objects.visible_to(user)
        .select_related("organization", "receiving_authority", "category")
        .prefetch_related("copied_to")
    )


def _held_copies() -> RawSQL:
    """The authorities a report is copied to, as an array in the report's own row (the
    locked read, below). Written as SQL: Django's ArraySubquery compiles a whole inner query
    for each read, a third of the locked read's cost."""
    through, report = Report.copied_to.through._meta, Report._meta
    qn = connections["default"].ops.quote_name
    authority, of_report = (qn(through.get_field(n).column) for n in ("authority", "report"))
    return RawSQL(
        f"ARRAY(SELECT {authority} FROM {qn(through.db_table)}"
        f" WHERE {of_report} = {qn(report.db_table)}.{qn(report.pk.column)})",
        (),
        output_field=ArrayField(BigIntegerField()),
    )


_HELD_COPIES = _held_copies()


@lru_cache(maxsize=256)
def _locked_read(condition: Q, alias: str) -> CompiledRead:
    """The locked read of a report under a visibility condition, as the ORM writes it
    (`core.compiled`): once per process for each condition (a user's roles give one)."""
    queryset = Report.objects.using(alias).filter(condition).filter(pk=ID).order_by()
    queryset = queryset.select_for_update(of=("self",))
    if connections[alias].vendor == "postgresql":
        # the authorities it is copied to, for the services that route it again
        queryset = queryset.annotate(held_copies=_HELD_COPIES)
    return compile_read(queryset)


def _report_locked(user, pk) -> Report:
    """`report_get(lock=True)`: the report the user sees, locked for update, with its copies
    (`held_copies`, PostgreSQL) and its organisation — the user's own membership's when it
    has one (a reporter's, who submits), else read when first used."""
    condition = visibility(user)
    try:
        pk = int(pk)
    except (ValueError, TypeError):
        raise Http404 from None
    if condition is None:
        raise Http404
    alias = router.db_for_write(Report)  # a lock: the primary
    found = run_read(alias, _locked_read(condition, alias), pk)
    if not found:
        raise Http404
    report = found[0]
    for membership in roles_of(user).memberships:
        if membership.organization_id == report.organization_id:
            report._state.fields_cache["organization"] = membership.organization
            break
    return report


def report_get(*, user, pk, lock: bool = False) -> Report:
    if lock:
        return _report_locked(user, pk)
    qs = (
        Report.objects.visible_to(user)
        .select_related(
            "organization",
            "organization__province",
            "receiving_authority",
            "category",
            "category__parent",
            "created_by",
            "submitted_by",
        )
        .prefetch_related(
            "copied_to",
            "deadlines",
            Prefetch("events", queryset=ReportEvent.objects.select_related("actor")),
        )
    )
    try:
        return qs.get(pk=pk)
    except (Report.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def report_roles(user, report: Report) -> frozenset[str]:
    """The workflow roles the user holds towards this report (None: the portal itself)."""
    if user is None:
        return frozenset({workflow.SYSTEM})
    return roles_of(user).towards(report)


def _prefetched(report: Report, relation: str):
    return getattr(report, "_prefetched_objects_cache", {}).get(relation)


def workflow_state(
    report: Report, *, user=None, roles=frozenset(), action: str | None = None
) -> workflow.ReportState:
    """The report as the workflow's rules see it, for `action` (None: every action) by
    `user`. Reads what the page prefetched; otherwise one query for each fact that a rule
    of that action needs."""
    acknowledged = False
    if user is not None and workflow.POLICE in roles and action in (None, "acknowledge"):
        events = _prefetched(report, "events")
        if events is not None:
            acknowledged = any(
                e.kind == ReportEvent.Kind.ACKNOWLEDGED and e.actor_id == user.pk for e in events
            )
        else:
            acknowledged = report.events.filter(
                kind=ReportEvent.Kind.ACKNOWLEDGED, actor_id=user.pk
            ).exists()
    if "summary" in report._state.fields_cache:
        summary_filed = report._state.fields_cache["summary"] is not None
    elif report.handling_ended_at is None or action not in (None, "summary"):
        summary_filed = False  # filed only after the end of handling; no other rule asks
    else:
        summary_filed = SummaryReport.objects.filter(report_id=report.pk).exists()
    assignee_name = ""
    if report.assignee_id is not None and action in (None, "claim"):
        assignee_name = report.assignee.get_username()
    return workflow.ReportState(
        tier=report.tier,
        status=report.status,
        severity=report.severity,
        assignee_id=report.assignee_id,
        assignee_name=assignee_name,
        forwarded=report.forwarded_at is not None,
        handling_ended=report.handling_ended_at is not None,
        summary_filed=summary_filed,
        acknowledged_by_actor=acknowledged,
    )


def allowed_actions(report: Report, *, user) -> list[str]:
    """What `user` may do on the report now (the report page and the API list these)."""
    roles = report_roles(user, report)
    if not roles:
        return []
    state = workflow_state(report, user=user, roles=roles)
    return workflow.allowed_actions(state, roles=roles, actor_id=user.pk)


def _load_criteria() -> tuple[Criterion, ...]:
    return tuple(
        Criterion(c.indicator, c.level, c.threshold, c.unit, c.scope)
        for c in GradingCriterion.objects.all()
    )


def _load_leaf_categories() -> dict[str, tuple]:
    return {
        code: (parent_id, name, name_en)
        for code, parent_id, name, name_en in Category.objects.filter(
            children__isnull=True
        ).values_list("code", "parent_id", "name", "name_en")
    }


_criteria = ReferenceCache(_load_criteria)
_leaf_categories = ReferenceCache(_load_leaf_categories)


def grading_criteria() -> list[Criterion]:
    """The grading guide's criteria (in memory; read again when an admin changes them)."""
    return list(_criteria.get())


def leaf_category(code) -> Category | None:
    """The sub-category with this code (in memory), or None: a fresh instance each call."""
    row = _leaf_categories.get().get(str(code))
    if row is None:
        return None
    category = Category(code=str(code), parent_id=row[0], name=row[1], name_en=row[2])
    category._state.adding = False
    category._state.db = "default"
    return category


def leaf_categories():
    return Category.objects.filter(children__isnull=True).select_related("parent")


def organization_search(query: str, *, limit: int = 20) -> list:
    """Organisations by name, or by unified social credit code (for requiring a report)."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    return list(
        Organization.objects.filter(Q(name__icontains=query) | Q(uscc__iexact=query)).order_by(
            "name"
        )[:limit]
    )


def submitted_digest(report: Report) -> str:
    """The SHA-256 of the report's content as submitted (reports.digest): stored at
    submission; for a report that has none stored, computed from its first history row
    after submission (the content as submitted), else from the report as it stands."""
    if report.submitted_sha256:
        return report.submitted_sha256
    first = (
        report.history.exclude(status=Status.DRAFT)
        .filter(submitted_at__isnull=False)
        .order_by("history_date", "history_id")
        .first()
    )
    return content_sha256(first or report, organization_uscc=report.organization.uscc)
