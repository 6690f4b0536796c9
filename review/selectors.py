"""Reads for the review queues, the watch list and the report page. Every queryset starts
from `reports.selectors.report_list` / `report_get` (the one visibility primitive); these
only narrow, annotate and prefetch."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.http import Http404

from accounts.models import Membership, SameLevelDepartment
from escalation.constants import Kind
from escalation.selectors import open_clocks_of_outer_report, overdue_clocks
from reports.constants import SERIOUS, Status, Tier
from reports.models import (
    Attachment,
    Finding,
    FollowUp,
    InfoRequest,
    Report,
    ReportEvent,
    pk_in_short_list,
)
from reports.selectors import report_list

RECEIVING_TABS = ("new", "mine", "waiting", "serious", "forwarded", "overdue", "closed")
NATIONAL_TABS = ("new", "mine", "waiting", "closed")


def with_next_clock(queryset):
    """Annotate the clock that runs out first: `next_due` (the earliest open `due_at`) and
    its kind, computed in the database."""
    first = open_clocks_of_outer_report().order_by("due_at", "pk")
    return queryset.annotate(
        next_due=Subquery(first.values("due_at")[:1]),
        next_due_kind=Subquery(first.values("kind")[:1]),
    )


def _overdue(now: datetime) -> Q:
    """The queue's "overdue" tab: reports with an overdue clock that is someone's task.
    Driven from the overdue clocks, not from every visible report. An open filing clock
    means a draft, and drafts nobody required are nobody's queue (most overdue clocks are
    on them): take the other clocks, and the filing clocks of required reports. Few in
    practice: read by primary key."""
    late = overdue_clocks(now)
    required_drafts = late.filter(kind=Kind.FILE, report__requested_by__isnull=False)
    return pk_in_short_list(
        late.exclude(kind=Kind.FILE).values_list("report_id", flat=True)
    ) | pk_in_short_list(required_drafts.values_list("report_id", flat=True))


def own_request_open():
    """The receiving authority's own request for information is still unanswered (on a
    report it has forwarded: it still waits for the operator)."""
    return Exists(
        InfoRequest.objects.filter(
            report=OuterRef("pk"),
            authority_id=OuterRef("receiving_authority_id"),
            answered_at__isnull=True,
        )
    )


def _overdue_in_database(now: datetime) -> Q:
    """The overdue tab's condition as subqueries (for counting: no list read first)."""
    late = overdue_clocks(now)
    return Q(pk__in=late.exclude(kind=Kind.FILE).values("report_id")) | Q(
        pk__in=late.filter(kind=Kind.FILE, report__requested_by__isnull=False).values("report_id")
    )


def _tab_filter(
    tab: str, *, user, now: datetime, national: bool, counting: bool = False
) -> Q | None:
    tier = Tier.NATIONAL if national else Tier.RECEIVING
    if tab == "new":
        return Q(tier=tier, status=Status.SUBMITTED, assignee__isnull=True)
    if tab == "mine":
        return Q(tier=tier, assignee=user) & ~Q(status=Status.CLOSED)
    if tab == "waiting":
        if national:
            return Q(tier=tier, status=Status.AWAITING_OPERATOR)
        # …and what it forwarded while its own request to the operator is still open
        # (counting: the condition itself, no annotation, so that the count stays one plain
        # aggregate)
        request_open = Q(own_request_open()) if counting else Q(own_request_open=True)
        return Q(tier=tier, status=Status.AWAITING_OPERATOR) | (
            Q(tier=Tier.NATIONAL) & request_open & ~Q(status=Status.CLOSED)
        )
    if tab == "forwarded":
        return Q(tier=Tier.NATIONAL) & ~Q(status=Status.CLOSED)
    if tab == "serious":
        return Q(
            Exists(open_clocks_of_outer_report(Kind.FORWARD)),
            tier=Tier.RECEIVING,
            severity__in=list(SERIOUS),
        ) & ~Q(status=Status.CLOSED)
    if tab == "overdue":
        return _overdue_in_database(now) if counting else _overdue(now)
    if tab == "closed":
        return Q(status=Status.CLOSED) & (Q(tier=tier) if national else Q())
    return None


def review_queue(*, user, tab: str, now: datetime, national: bool = False):
    """One tab of a queue, sorted by the clock that runs out first (reports with no open
    clock last, newest first). The closed tab has no open clock to sort on: newest first,
    on the submission index."""
    qs = report_list(user=user)
    if national:
        qs = qs.filter(tier=Tier.NATIONAL)
    elif tab in ("waiting", "forwarded"):
        qs = qs.annotate(own_request_open=own_request_open())
    condition = _tab_filter(tab, user=user, now=now, national=national)
    if condition is not None:
        qs = qs.filter(condition)
    qs = with_next_clock(qs.select_related("assignee", "requested_by"))
    if tab == "closed":
        return qs.order_by("-submitted_at", "-pk")
    # `next_due_at` is the stored twin of `next_due` (kept by the clocks): indexed ordering
    return qs.order_by(F("next_due_at").asc(nulls_last=True), "-submitted_at", "-pk")


def review_queue_counts(*, user, now: datetime, national: bool = False, narrow=None) -> dict:
    """How many reports each tab of the queue holds (after `narrow`, the page's filters,
    when given): one aggregate query, a filtered count per tab, by the same conditions as
    `review_queue`."""
    qs = report_list(user=user).order_by()
    if national:
        qs = qs.filter(tier=Tier.NATIONAL)
    if narrow is not None:
        qs = narrow(qs)
    tabs = NATIONAL_TABS if national else RECEIVING_TABS
    return qs.aggregate(
        **{
            tab: Count(
                "pk",
                filter=_tab_filter(tab, user=user, now=now, national=national, counting=True),
            )
            for tab in tabs
        }
    )


def watch_list(reports):
    """The one definition of the national watch list, over any queryset of reports: serious
    reports still at a receiving authority whose forward clock runs, the one closest to its
    limit first, annotated with that clock's instants (`forward_due_at`,
    `forward_statutory_due_at`, `forward_act_at`)."""
    forward = open_clocks_of_outer_report(Kind.FORWARD).order_by("due_at", "pk")
    return (
        reports.filter(tier=Tier.RECEIVING, severity__in=list(SERIOUS))
        .exclude(status__in=[Status.DRAFT, Status.CLOSED])
        .annotate(
            forward_due_at=Subquery(forward.values("due_at")[:1]),
            forward_statutory_due_at=Subquery(forward.values("statutory_due_at")[:1]),
            forward_act_at=Subquery(forward.values("act_at")[:1]),
        )
        .filter(forward_due_at__isnull=False)
        .order_by("forward_due_at", "pk")
    )


def downgraded_list(reports):
    """The second look at downgrades: reports the grading guide rates serious that a
    reviewer graded below serious, still open at the receiving tier (newest first)."""
    return (
        reports.filter(tier=Tier.RECEIVING, severity_suggested__in=list(SERIOUS))
        .exclude(severity__in=list(SERIOUS))
        .exclude(severity_reviewed="")
        .exclude(status__in=[Status.DRAFT, Status.CLOSED])
        .order_by("-submitted_at", "-pk")
    )


def national_downgraded_list(*, user, limit: int = 50):
    return downgraded_list(report_list(user=user)).select_related(
        "organization", "receiving_authority"
    )[:limit]


def national_watch_list(*, user, limit: int = 50):
    """The watch list of the national queue page."""
    return watch_list(report_list(user=user)).select_related("assignee")[:limit]


def report_page_get(*, user, pk) -> Report:
    """One report with everything its page shows, in a constant number of queries."""
    qs = (
        report_list(user=user)
        .select_related(
            "organization__province",
            "category__parent",
            "created_by",
            "submitted_by",
            "assignee",
            "requested_by",
            "received_by",
            "summary__filed_by",
            "forwarding__actor",
        )
        .prefetch_related(
            "deadlines",
            "forwarding__same_level_departments",
            Prefetch("events", queryset=ReportEvent.objects.select_related("actor")),
            Prefetch(
                "info_requests",
                queryset=InfoRequest.objects.select_related("authority", "requested_by"),
            ),
            Prefetch("followups", queryset=FollowUp.objects.select_related("created_by")),
            Prefetch(
                "findings", queryset=Finding.objects.select_related("authority", "recorded_by")
            ),
            Prefetch(
                "attachments",
                queryset=Attachment.objects.select_related("uploaded_by", "followup"),
            ),
        )
    )
    try:
        report = qs.get(pk=pk)
    except (Report.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    # simple-history keeps the report's id as a plain column (no relation to prefetch):
    # one query for all of it.
    report.history_records = list(
        report.history.select_related("history_user").order_by("history_date", "history_id")
    )
    return report


def colleague_memberships(report: Report):
    """Staff of the authority holding the report: who it may be assigned to."""
    if report.tier == Tier.NATIONAL:
        return Membership.objects.filter(role=Membership.Role.NATIONAL_OFFICIAL)
    return Membership.objects.filter(
        role=Membership.Role.REVIEWER, authority_id=report.receiving_authority_id
    )


def assignable_colleagues(report: Report) -> list:
    user_ids = colleague_memberships(report).values("user_id")
    return list(
        get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("username")
    )


def configured_same_level_departments(report) -> list[SameLevelDepartment]:
    """The same-level departments configured for the province of the report's receiving
    authority (the provincial CAC), in their order."""
    return list(
        SameLevelDepartment.objects.filter(
            province_id=report.receiving_authority.province_id, active=True
        ).select_related("authority")
    )
