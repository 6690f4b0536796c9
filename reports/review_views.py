"""The review workflow's web pages: the receiving and national queues, the actions on the
report page (htmx, in-page), the operator's answers, requiring a report, and the
notifications. Thin views: forms parse, one service per action writes, selectors read
(through `report_list`, the one visibility primitive: not visible is a 404)."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.models import Membership, Organization

from . import services, workflow
from .constants import Status, Tier
from .exceptions import ActionForbidden, InvalidTransition
from .filters import ReviewQueueFilterSet
from .forms import (
    AcknowledgeForm,
    AssignForm,
    ClaimForm,
    CloseForm,
    EvidenceForm,
    FollowUpForm,
    ForwardForm,
    GradeForm,
    HandlingEndedForm,
    NotifyForm,
    RequestInfoForm,
    RequireForm,
    SummaryForm,
)
from .models import Category, Report
from .review_selectors import (
    NATIONAL_TABS,
    RECEIVING_TABS,
    assignable_colleagues,
    authority_staff_membership,
    organization_search,
    report_page_get,
    review_queue,
    watch_list,
)
from .services import reporter_organizations
from .templatetags.portal import clock_state, pick_clock

PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_PAGE_SIZE = 20


# --- Pages without COUNT(*) --------------------------------------------------------------


class LitePage:
    """A page of a queryset that needs no COUNT(*): it fetches one row more than it shows to
    know whether there is a next page. Over an indexed ordering, page 1 costs the same with
    a thousand reports or a million."""

    def __init__(self, queryset, number, per_page: int):
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            number = 1
        offset = (number - 1) * per_page
        rows = list(queryset[offset : offset + per_page + 1])
        self.object_list = rows[:per_page]
        self.number = number
        self.has_next = len(rows) > per_page
        self.has_previous = number > 1
        self.next_page_number = number + 1
        self.previous_page_number = number - 1
        self.start_index = offset + 1 if self.object_list else 0

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _page_size(request) -> int:
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def load_memberships(user) -> None:
    """Read the user's memberships once per request: the visibility primitive, the roles and
    the layout's menu then all use this cache."""
    if user.is_authenticated and "memberships" not in getattr(
        user, "_prefetched_objects_cache", {}
    ):
        prefetch_related_objects(
            [user],
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("organization", "authority"),
            ),
        )


def _staff_roles(user) -> set[str]:
    load_memberships(user)
    return {m.role for m in user.memberships.all()}


# --- The queues ---------------------------------------------------------------------------

TAB_LABELS = {
    "new": gettext_lazy("New"),
    "mine": gettext_lazy("Mine"),
    "waiting": gettext_lazy("Waiting for the operator"),
    "serious": gettext_lazy("Serious, to forward"),
    "overdue": gettext_lazy("Overdue"),
    "closed": gettext_lazy("Closed"),
}
NATIONAL_TAB_LABELS = {**TAB_LABELS, "new": gettext_lazy("New (unacknowledged)")}


class _QueueView(LoginRequiredMixin, View):
    template_name = "reports/queue.html"
    national = False
    tabs: tuple = RECEIVING_TABS
    labels = TAB_LABELS
    roles: frozenset = frozenset()

    def get(self, request):
        roles = _staff_roles(request.user)
        if not (roles & self.roles or request.user.is_superuser):
            raise PermissionDenied(_("This queue is for the staff of an authority."))
        tab = request.GET.get("tab") or self.tabs[0]
        if tab not in self.tabs:
            tab = self.tabs[0]
        now = timezone.now()
        queryset = review_queue(user=request.user, tab=tab, now=now, national=self.national)
        filterset = ReviewQueueFilterSet(request.GET or None, queryset=queryset)
        page = LitePage(filterset.qs, request.GET.get("page"), _page_size(request))
        context = {
            "tab": tab,
            "tabs": [(name, self.labels[name]) for name in self.tabs],
            "page_obj": page,
            "filter": filterset,
            "categories": list(Category.objects.order_by("code")),
            "page_sizes": PAGE_SIZES,
            "per_page": _page_size(request),
            "now": now,
            "national": self.national,
            "read_only": not (roles & {"reviewer", "national_official"}),
        }
        context.update(self.extra_context(request))
        return render(request, self.template_name, context)

    def extra_context(self, request) -> dict:
        return {}


class ReviewQueueView(_QueueView):
    """Receiving authorities: reports routed or copied to theirs (police: copies, read only)."""

    roles = frozenset({"reviewer", "police_liaison"})

    def get(self, request):
        roles = _staff_roles(request.user)
        if "national_official" in roles and not roles & self.roles:
            return redirect("reports:national_queue")
        return super().get(request)


class NationalQueueView(_QueueView):
    national = True
    tabs = NATIONAL_TABS
    labels = NATIONAL_TAB_LABELS
    roles = frozenset({"national_official"})

    def extra_context(self, request) -> dict:
        return {"watch_list": list(watch_list(user=request.user))}


# --- The report page and its actions ------------------------------------------------------


@dataclass(frozen=True)
class Action:
    form: type
    service: object
    done: str
    side: str = "review"  # "review" (authority staff) or "operator"


ACTIONS = {
    "claim": Action(ClaimForm, services.report_claim, gettext_lazy("You claimed the report.")),
    "assign": Action(AssignForm, services.report_assign, gettext_lazy("The report is assigned.")),
    "acknowledge": Action(
        AcknowledgeForm, services.report_acknowledge, gettext_lazy("Receipt acknowledged.")
    ),
    "grade": Action(GradeForm, services.report_grade, gettext_lazy("The level is recorded.")),
    "request_info": Action(
        RequestInfoForm,
        services.report_request_info,
        gettext_lazy("The request for information was sent to the operator."),
    ),
    "forward": Action(
        ForwardForm, services.report_forward, gettext_lazy("Forwarded to the national tier.")
    ),
    "notify": Action(
        NotifyForm,
        services.report_notify,
        gettext_lazy("The notification of the departments is recorded."),
    ),
    "close": Action(CloseForm, services.report_close, gettext_lazy("The report is closed.")),
    "followup": Action(
        FollowUpForm, services.report_followup, gettext_lazy("Follow-up filed."), "operator"
    ),
    "handling_ended": Action(
        HandlingEndedForm,
        services.report_handling_ended,
        gettext_lazy("The end of handling is recorded."),
        "operator",
    ),
    "summary": Action(
        SummaryForm,
        services.report_summary,
        gettext_lazy("The summary report is filed."),
        "operator",
    ),
}
REVIEW_ORDER = (
    "claim",
    "acknowledge",
    "assign",
    "grade",
    "request_info",
    "forward",
    "notify",
    "close",
)
OPERATOR_ORDER = ("followup", "handling_ended", "summary")


def _has(report, relation: str) -> bool:
    try:
        return getattr(report, relation) is not None
    except ObjectDoesNotExist:
        return False


def action_shown(action: str, *, report, roles, user) -> bool:
    """Offer an action only when the workflow allows it to this user now (and when it would
    not be refused for a reason the page already knows)."""
    if not workflow.allowed(action, roles=roles, tier=report.tier, status=report.status):
        return False
    if action == "claim":
        return report.assignee_id is None
    if action == "forward":
        return report.is_serious and report.forwarded_at is None
    if action == "close":
        return not (report.tier == Tier.RECEIVING and report.is_serious)
    if action == "acknowledge" and workflow.NATIONAL not in roles:
        return not any(
            e.kind == "acknowledged" and e.actor_id == user.pk for e in report.events.all()
        )
    if action == "handling_ended":
        return report.handling_ended_at is None
    if action == "summary":
        return report.handling_ended_at is not None and not _has(report, "summary")
    return True


def _make_form(action: str, report, data=None, files=None):
    spec = ACTIONS[action]
    kwargs = {"report": report}
    if action == "assign":
        kwargs["colleagues"] = assignable_colleagues(report)
    return spec.form(data=data, files=files, **kwargs)


# Field changes: what the timeline leaves out (the version counter, derived lists).
HISTORY_HIDDEN = ("version", "criteria_met")
TEXT_PREVIEW = 160


def _display(field, value, related: dict) -> str:
    if value in (None, ""):
        return "—"
    if field.is_relation:
        obj = related.get((field.related_model, value))
        if obj is None:
            return f"#{value}"
        if isinstance(obj, get_user_model()):
            return obj.get_username()
        return str(obj)
    if field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    text = str(value)
    return text if len(text) <= TEXT_PREVIEW else text[: TEXT_PREVIEW - 1] + "…"


def history_changes(records) -> list[dict]:
    """For each historical record, the fields it changed against the one before (who, when,
    from → to). The related objects named in the changes come in one query per model."""
    entries, previous = [], None
    for record in records:
        if previous is None:
            entries.append({"record": record, "created": True, "changes": []})
        else:
            delta = record.diff_against(previous, excluded_fields=HISTORY_HIDDEN)
            if delta.changes:
                entries.append({"record": record, "created": False, "changes": delta.changes})
        previous = record
    wanted: dict = {}
    for entry in entries:
        for change in entry["changes"]:
            field = Report._meta.get_field(change.field)
            if field.is_relation:
                ids = wanted.setdefault(field.related_model, set())
                ids.update(v for v in (change.old, change.new) if v not in (None, ""))
    related = {}
    for model, ids in wanted.items():
        for obj in model._default_manager.filter(pk__in=ids):
            related[(model, obj.pk)] = obj
    rows = []
    for entry in entries:
        record = entry["record"]
        rows.append(
            {
                "at": record.history_date,
                "user": record.history_user,
                "created": entry["created"],
                "reason": record.history_change_reason or "",
                "changes": [
                    {
                        "label": Report._meta.get_field(c.field).verbose_name,
                        "old": _display(Report._meta.get_field(c.field), c.old, related),
                        "new": _display(Report._meta.get_field(c.field), c.new, related),
                    }
                    for c in entry["changes"]
                ],
            }
        )
    return rows


class ReportPage:
    """Everything the report page shows, computed once (constant queries)."""

    def __init__(
        self, request, report, *, failed=None, failed_form=None, feedback=None, evidence_form=None
    ):
        self.request = request
        self.user = request.user
        self.report = report
        self.failed = failed
        self.failed_form = failed_form
        self.feedback = feedback
        self.evidence_form = evidence_form

    @cached_property
    def can_add_evidence(self) -> bool:
        """The operator's reporters, while the report is open; a service provider on the
        drafts it wrote (the service checks again)."""
        report = self.report
        if report.status == Status.CLOSED:
            return False
        if workflow.REPORTER in self.roles:
            return True
        return (
            report.status == Status.DRAFT
            and report.created_by_id == self.user.pk
            and any(
                m.role == Membership.Role.PROVIDER_DRAFTER
                and m.organization_id == report.organization_id
                for m in self.user.memberships.all()
            )
        )

    @cached_property
    def roles(self) -> set:
        return services.report_roles(self.user, self.report)

    def _forms(self, order) -> list:
        result = []
        for action in order:
            if action == self.failed and self.failed_form is not None:
                result.append((action, self.failed_form))
            elif action_shown(action, report=self.report, roles=self.roles, user=self.user):
                result.append((action, _make_form(action, self.report)))
        return result

    def context(self) -> dict:
        report = self.report
        is_reporter = workflow.REPORTER in self.roles
        open_requests = [r for r in report.info_requests.all() if r.answered_at is None]
        return {
            "report": report,
            "can_edit": report.status == Status.DRAFT
            and any(o.pk == report.organization_id for o in reporter_organizations(self.user)),
            "review_forms": dict(self._forms(REVIEW_ORDER)),
            "operator_forms": dict(self._forms(OPERATOR_ORDER)),
            "failed": self.failed,
            "feedback": self.feedback,
            "is_reporter": is_reporter,
            "is_staff_viewer": bool(self.roles - {workflow.REPORTER})
            or authority_staff_membership(self.user) is not None,
            "open_requests": open_requests,
            "info_requests": list(report.info_requests.all()),
            "followups": list(report.followups.all()),
            "summary": report.summary if _has(report, "summary") else None,
            "summary_clock": clock_state(pick_clock(report, "summary")),
            "file_clock": clock_state(pick_clock(report, "file")),
            "events": list(report.events.all()),
            "changes": history_changes(report.history_records),
            "attachments": list(report.attachments.all()),
            "can_add_evidence": self.can_add_evidence,
            "evidence_form": self._evidence_form(),
        }

    def _evidence_form(self):
        if not self.can_add_evidence:
            return None
        if self.evidence_form is not None:
            return self.evidence_form
        return EvidenceForm(followups=list(self.report.followups.all()))


def render_report_page(request, report, *, status=200, partial=None, **kwargs):
    page = ReportPage(request, report, **kwargs)
    if partial is None:
        partial = bool(getattr(request, "htmx", False))
    template = "reports/_report_page.html" if partial else "reports/report_detail.html"
    return render(request, template, page.context(), status=status)


class ReportPageView(LoginRequiredMixin, View):
    def get(self, request, pk):
        load_memberships(request.user)
        report = report_page_get(user=request.user, pk=pk)
        return render_report_page(request, report, partial=False)


class ReportActionView(LoginRequiredMixin, View):
    """POST one action from the report page: exactly one service call. htmx gets the page's
    body back (in-page); without JavaScript, a redirect (or the page with the errors)."""

    def post(self, request, pk, action):
        if action not in ACTIONS:
            raise Http404
        spec = ACTIONS[action]
        load_memberships(request.user)
        report = report_page_get(user=request.user, pk=pk)
        form = _make_form(action, report, data=request.POST, files=request.FILES)
        if not form.is_valid():
            if "version" in form.errors:
                return self._refused(request, report, _("Reload the report and try again."), 409)
            return render_report_page(request, report, failed=action, failed_form=form, status=422)
        upload = form.cleaned_data.get("file")
        try:
            # a follow-up and its evidence file are stored together or not at all
            with transaction.atomic():
                result = spec.service(
                    user=request.user,
                    pk=report.pk,
                    version=form.cleaned_data["version"],
                    **form.service_kwargs(),
                )
                if upload:
                    services.attachment_add(
                        user=request.user, pk=report.pk, upload=upload, followup=result
                    )
        except ValidationError as exc:
            form.add_service_errors(exc)
            return render_report_page(request, report, failed=action, failed_form=form, status=422)
        except InvalidTransition as exc:  # includes StaleVersion
            return self._refused(request, report, str(exc.message), 409)
        except ActionForbidden as exc:
            return self._refused(request, report, str(exc.message), 403)
        if not request.htmx:
            messages.success(request, str(spec.done))
            return redirect("reports:detail", pk=report.pk)
        fresh = report_page_get(user=request.user, pk=pk)
        return render_report_page(
            request, fresh, feedback={"level": "success", "message": str(spec.done)}
        )

    def _refused(self, request, report, message, status):
        # the page as it is now (another user may have changed it)
        report = report_page_get(user=request.user, pk=report.pk)
        return render_report_page(
            request, report, feedback={"level": "danger", "message": message}, status=status
        )


# --- Requiring a report -------------------------------------------------------------------


class RequireReportView(LoginRequiredMixin, View):
    """Authority staff record an incident learned of elsewhere and require the operator to
    report it (`report_require`)."""

    template_name = "reports/require.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and authority_staff_membership(request.user) is None:
            raise PermissionDenied(
                _("Only receiving reviewers and national officials can do this.")
            )
        return super().dispatch(request, *args, **kwargs)

    def _context(self, request, form, query):
        selected_pk = form.data.get("organization") if form.is_bound else None
        selected = Organization.objects.filter(pk=selected_pk).first() if selected_pk else None
        results = organization_search(query)
        if selected is not None and all(o.pk != selected.pk for o in results):
            results = [selected, *results]
        return {
            "form": form,
            "org_q": query,
            "organizations": results,
            "selected_pk": selected.pk if selected else None,
        }

    def get(self, request):
        query = request.GET.get("org_q", "").strip()
        return render(request, self.template_name, self._context(request, RequireForm(), query))

    def post(self, request):
        form = RequireForm(data=request.POST)
        query = request.POST.get("org_q", "").strip()
        if form.is_valid():
            try:
                report = services.report_require(
                    user=request.user,
                    organization=form.cleaned_data["organization"],
                    title=form.cleaned_data["title"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            except ActionForbidden as exc:
                raise PermissionDenied(str(exc.message)) from exc
            else:
                messages.success(
                    request,
                    _("%(ref)s: %(org)s is required to report the incident.")
                    % {"ref": report.reference, "org": report.organization.name},
                )
                return redirect("reports:detail", pk=report.pk)
        return render(request, self.template_name, self._context(request, form, query), status=422)


class OrganizationSearchView(LoginRequiredMixin, View):
    """htmx: organisations by name or unified social credit code (radio choices)."""

    def get(self, request):
        if authority_staff_membership(request.user) is None:
            raise PermissionDenied
        query = request.GET.get("org_q", "").strip()
        return render(
            request,
            "reports/_organization_choices.html",
            {"organizations": organization_search(query), "org_q": query, "selected_pk": None},
        )


# --- Notifications ------------------------------------------------------------------------


class NotificationListView(LoginRequiredMixin, View):
    template_name = "reports/notifications.html"

    def get(self, request):
        notifications = request.user.notifications.select_related("report").order_by(
            "-created_at", "-pk"
        )
        page = LitePage(notifications, request.GET.get("page"), DEFAULT_PAGE_SIZE)
        return render(request, self.template_name, {"page_obj": page})


class NotificationsMarkReadView(LoginRequiredMixin, View):
    def post(self, request):
        from escalation.services import notifications_mark_read

        count = notifications_mark_read(user=request.user)
        messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("reports:notifications")
        return redirect(target)
