"""The report page, for every role that may see the report, and its actions: the review
actions of the authorities and the operator's after submission, each one service call, in
page (htmx) or as a plain form post. Which actions a user is offered comes from the
workflow's rules (`reports.selectors.allowed_actions`), the same that the services enforce."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.models import Membership
from accounts.roles import roles_of
from core.exceptions import ActionForbidden, InvalidTransition
from escalation.constants import Kind
from escalation.rules import clock_state, pick_clock
from reports import workflow
from reports.constants import Status
from reports.forms import EvidenceForm, FollowUpForm, HandlingEndedForm, SummaryForm
from reports.models import ReportEvent
from reports.selectors import allowed_actions, report_roles
from reports.services.evidence import attachment_add
from reports.services.followups import report_followup, report_handling_ended, report_summary

from ..forms import (
    AcknowledgeForm,
    AssignForm,
    ClaimForm,
    CloseForm,
    FindingForm,
    ForwardForm,
    GradeForm,
    NotifyForm,
    RequestInfoForm,
)
from ..history import history_changes, history_since_submission
from ..selectors import assignable_colleagues, report_page_get
from ..services.findings import report_record_finding
from ..services.forwarding import report_forward, report_notify
from ..services.requests import report_request_info
from ..services.triage import (
    report_acknowledge,
    report_assign,
    report_claim,
    report_close,
    report_grade,
)


@dataclass(frozen=True)
class Action:
    form: type
    service: object
    done: str


ACTIONS = {
    "claim": Action(ClaimForm, report_claim, gettext_lazy("You claimed the report.")),
    "assign": Action(AssignForm, report_assign, gettext_lazy("The report is assigned.")),
    "acknowledge": Action(
        AcknowledgeForm, report_acknowledge, gettext_lazy("Receipt acknowledged.")
    ),
    "grade": Action(GradeForm, report_grade, gettext_lazy("The level is recorded.")),
    "request_info": Action(
        RequestInfoForm,
        report_request_info,
        gettext_lazy("The request for information was sent to the operator."),
    ),
    "forward": Action(ForwardForm, report_forward, gettext_lazy("Forwarded to the national tier.")),
    "notify": Action(
        NotifyForm,
        report_notify,
        gettext_lazy("The notification of the departments is recorded."),
    ),
    "close": Action(CloseForm, report_close, gettext_lazy("The report is closed.")),
    "finding": Action(FindingForm, report_record_finding, gettext_lazy("The finding is recorded.")),
    "followup": Action(FollowUpForm, report_followup, gettext_lazy("Follow-up filed.")),
    "handling_ended": Action(
        HandlingEndedForm,
        report_handling_ended,
        gettext_lazy("The end of handling is recorded."),
    ),
    "summary": Action(SummaryForm, report_summary, gettext_lazy("The summary report is filed.")),
}


def _has(report, relation: str) -> bool:
    try:
        return getattr(report, relation) is not None
    except ObjectDoesNotExist:
        return False


def _make_form(action: str, report, data=None, files=None):
    spec = ACTIONS[action]
    kwargs = {"report": report}
    if action == "assign":
        kwargs["colleagues"] = assignable_colleagues(report)
    return spec.form(data=data, files=files, **kwargs)


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
    def roles(self) -> frozenset:
        return report_roles(self.user, self.report)

    @cached_property
    def user_roles(self):
        return roles_of(self.user)

    @cached_property
    def actions(self) -> list[str]:
        return allowed_actions(self.report, user=self.user)

    @cached_property
    def can_add_evidence(self) -> bool:
        """The operator's reporters, while the report is open; a service provider on the
        drafts it wrote (the service checks again)."""
        report = self.report
        if report.status == Status.CLOSED:
            return False
        if workflow.REPORTER in self.roles:
            return True
        return report.status == Status.DRAFT and self.user_roles.can_edit_draft(report)

    @cached_property
    def forwarding(self):
        """The forwarding record, with the same-level departments it notified (prefetched)."""
        return self.report.forwarding if _has(self.report, "forwarding") else None

    def _forms(self, order) -> list:
        result = []
        for action in order:
            if action == self.failed and self.failed_form is not None:
                result.append((action, self.failed_form))
            elif action in self.actions:
                result.append((action, _make_form(action, self.report)))
        return result

    def _colleague_ids(self) -> set:
        return set(
            Membership.objects.filter(organization_id=self.report.organization_id).values_list(
                "user_id", flat=True
            )
        )

    def context(self) -> dict:
        report = self.report
        now = timezone.now()
        open_requests = [r for r in report.info_requests.all() if r.answered_at is None]
        drafting_for = self.user_roles.reporter_of | self.user_roles.drafter_of
        is_staff_viewer = bool(self.roles - {workflow.REPORTER}) or self.user_roles.can_act_as_staff
        review_forms = dict(self._forms(workflow.REVIEW_ACTIONS))
        return {
            "report": report,
            "can_edit": report.status == Status.DRAFT and report.organization_id in drafting_for,
            "review_forms": review_forms,
            **self._copy_receipt(review_forms),
            "operator_forms": dict(self._forms(workflow.OPERATOR_ACTIONS)),
            "failed": self.failed,
            "feedback": self.feedback,
            "is_reporter": workflow.REPORTER in self.roles,
            "is_staff_viewer": is_staff_viewer,
            # the operator's own people, named on the timeline; an authority's staff are
            # not named to the operator (their usernames are internal)
            "colleague_ids": set() if is_staff_viewer else self._colleague_ids(),
            "open_requests": open_requests,
            "info_requests": list(report.info_requests.all()),
            "followups": list(report.followups.all()),
            "summary": report.summary if _has(report, "summary") else None,
            "forwarding": self.forwarding,
            "summary_clock": clock_state(pick_clock(report.deadlines.all(), Kind.SUMMARY), now),
            "file_clock": clock_state(pick_clock(report.deadlines.all(), Kind.FILE), now),
            "events": list(report.events.all()),
            "changes": history_changes(
                report.history_records
                if workflow.REPORTER in self.roles
                else history_since_submission(report.history_records)
            ),
            "attachments": list(report.attachments.all()),
            "can_add_evidence": self.can_add_evidence,
            "evidence_form": self._evidence_form(),
        }

    def _copy_receipt(self, review_forms: dict) -> dict:
        """A liaison of an authority the report is copied to reads it for information and
        reviews nothing: its one act, confirming receipt of the copy (签收), is offered apart
        from the review actions and worded as what it is (docs/DECISIONS.md)."""
        if workflow.POLICE not in self.roles or self.roles & {workflow.REVIEWER, workflow.NATIONAL}:
            return {"copy_holder": False}
        received = [
            e
            for e in self.report.events.all()
            if e.kind == ReportEvent.Kind.ACKNOWLEDGED and e.actor_id == self.user.pk
        ]
        return {
            "copy_holder": True,
            "copy_receipt_form": review_forms.pop("acknowledge", None),
            "copy_received": received[0] if received else None,
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
    template = "review/_report_page.html" if partial else "review/report_detail.html"
    return render(request, template, page.context(), status=status)


class ReportPageView(LoginRequiredMixin, View):
    def get(self, request, pk):
        report = report_page_get(user=request.user, pk=pk)
        return render_report_page(request, report, partial=False)


class ReportActionView(LoginRequiredMixin, View):
    """POST one action from the report page: exactly one service call. htmx gets the page's
    body back (in-page); without JavaScript, a redirect (or the page with the errors)."""

    def post(self, request, pk, action):
        if action not in ACTIONS:
            raise Http404
        spec = ACTIONS[action]
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
                    attachment_add(user=request.user, pk=report.pk, upload=upload, followup=result)
        except ValidationError as exc:
            form.add_service_errors(exc)
            return render_report_page(request, report, failed=action, failed_form=form, status=422)
        except InvalidTransition as exc:  # includes StaleVersion
            return self._refused(request, report, str(exc.message), 409)
        except ActionForbidden as exc:
            return self._refused(request, report, str(exc.message), 403)
        done = str(spec.done)
        if action == "acknowledge" and workflow.NATIONAL not in report_roles(request.user, report):
            done = _("Receipt of the copy is recorded.")  # a liaison's copy (签收)
        if not request.htmx:
            messages.success(request, done)
            return redirect("review:report", pk=report.pk)
        fresh = report_page_get(user=request.user, pk=pk)
        return render_report_page(request, fresh, feedback={"level": "success", "message": done})

    def _refused(self, request, report, message, status):
        # the page as it is now (another user may have changed it)
        report = report_page_get(user=request.user, pk=report.pk)
        return render_report_page(
            request, report, feedback={"level": "danger", "message": message}, status=status
        )


class AttachmentUploadView(LoginRequiredMixin, View):
    """Evidence from the report page: the operator's reporters, and a service provider on
    the drafts it wrote. The checks on the content are `attachment_add`'s."""

    def post(self, request, pk):
        report = report_page_get(user=request.user, pk=pk)
        form = EvidenceForm(
            data=request.POST, files=request.FILES, followups=list(report.followups.all())
        )
        if form.is_valid():
            try:
                attachment = attachment_add(
                    user=request.user,
                    pk=report.pk,
                    upload=form.cleaned_data["file"],
                    followup=form.followup_object(),
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            except ActionForbidden as exc:
                raise PermissionDenied(str(exc.message)) from exc
            except InvalidTransition as exc:
                messages.error(request, str(exc.message))
                return redirect("review:report", pk=report.pk)
            else:
                messages.success(
                    request,
                    _("%(name)s attached (SHA-256 %(sha)s).")
                    % {"name": attachment.name, "sha": attachment.sha256},
                )
                return redirect("review:report", pk=report.pk)
        return render_report_page(request, report, partial=False, status=422, evidence_form=form)
