"""The operator's web pages. Thin views: forms parse input, `reports.services` write,
`reports.selectors` read (visibility: what a user may not see is a 404)."""

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.roles import roles_of
from core.exceptions import ActionForbidden, InvalidTransition, StaleVersion
from core.pages import download_response

from .constants import RANSOMWARE_CATEGORY, STATE_SECRETS_REFUSAL, ReceivedVia, Status
from .contents import RANSOM, REQUIRED_TO_SUBMIT
from .forms import GradingPreviewForm, ReportForm, StateSecretForm
from .models import IdempotencyKey, Report
from .receipt_pdf import receipt_pdf
from .selectors import report_get, report_list, submitted_digest
from .services.drafting import derive, report_create_idempotent, report_discard, report_update
from .services.evidence import attachment_get
from .services.submission import report_submit, severity_preview

PAGE_SIZE = 20


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _hhmm(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def save_draft(*, user, report, form: ReportForm):
    """Save what parsed. If the service refuses some fields (a time in the future, say),
    save the rest and return the refusal, so a draft is never lost over one bad field.
    Returns (saved_report or None, ValidationError or None). Raises StaleVersion."""
    data = form.service_data(fallback_indicators=report.indicators)
    version = form.cleaned_data.get("version")
    if version is None:
        raise StaleVersion()
    refused = None
    for _attempt in range(2):
        try:
            saved = report_update(user=user, pk=report.pk, data=data, version=version)
            return saved, refused
        except ValidationError as exc:
            bad = set(getattr(exc, "error_dict", {})) & set(data)
            if refused is not None or not bad:
                return None, exc
            refused = exc
            data = {name: value for name, value in data.items() if name not in bad}
    return None, refused


def _rebind(post, version: int) -> ReportForm:
    """The posted form again, carrying the version the draft now has."""
    data = post.copy()
    data["version"] = str(version)
    form = ReportForm(data=data)
    form.is_valid()
    return form


def _edit_context(report, form: ReportForm, user) -> dict:
    indicators = form.indicators(report.indicators) if form.is_bound else report.indicators
    declared = (
        form.cleaned_data.get("severity_declared")
        if form.is_bound and hasattr(form, "cleaned_data")
        else report.severity_declared
    )
    return {
        "report": report,
        "form": form,
        "grading": severity_preview(indicators or {}, declared or None),
        "ransomware_code": RANSOMWARE_CATEGORY,
        "is_cii_operator": report.organization.is_cii_operator,
        "names_cii_sector": not report.organization.sector_id,
        "required_to_submit": (*REQUIRED_TO_SUBMIT, *RANSOM),
        # a service provider drafts; only the operator's reporters submit (Art. 5)
        "can_submit": roles_of(user).reports_for(report.organization_id),
    }


class HomeView(LoginRequiredMixin, View):
    """Reporters go to their organisation's reports; authority staff see the reports routed
    or copied to them; superusers also get the admin link."""

    def get(self, request):
        if roles_of(request.user).can_draft:
            return redirect("reports:list")
        reports = report_list(user=request.user).order_by("-submitted_at", "-pk")
        return render(request, "home.html", {"page_obj": _page(request, reports)})


class ReportListView(LoginRequiredMixin, View):
    def get(self, request):
        reports = (
            report_list(user=request.user)
            .select_related("requested_by")
            .prefetch_related("deadlines")
        )
        return render(
            request,
            "reports/report_list.html",
            {
                "page_obj": _page(request, reports),
                "organizations": roles_of(request.user).drafting_organizations(),
            },
        )


class ReportNewView(LoginRequiredMixin, View):
    """Art. 13 first: a report involving state secrets is not taken here (nothing stored).
    Otherwise create an empty draft and open the form."""

    template_name = "reports/report_new.html"

    def _form(self, request, data=None):
        organizations = roles_of(request.user).drafting_organizations()
        if not organizations:
            raise PermissionDenied(_("Only an operator's reporters can file reports."))
        return StateSecretForm(data=data, organizations=organizations)

    def get(self, request):
        return render(request, self.template_name, {"form": self._form(request)})

    def post(self, request):
        form = self._form(request, request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form})
        if form.cleaned_data["involves_state_secrets"] == "yes":
            return redirect("reports:confidential")
        # No draft yet: the form opens blank, and the draft is created (numbered) only when
        # something is saved (issue 13, point 9).
        query = {"key": form.cleaned_data.get("request_key") or uuid.uuid4().hex}
        if form.cleaned_data.get("organization"):
            query["organization"] = form.cleaned_data["organization"]
        return redirect(f"{reverse('reports:draft_new')}?{urlencode(query)}")


# Technical fields of the unsaved form: not something the reporter typed.
UNTYPED = {"csrfmiddlewaretoken", "version", "organization", "request_key", "action"}
KEY_MAX = 64


def _typed_something(post, initial: dict) -> bool:
    """Whether the reporter has entered anything in the blank form (a field that differs
    from what the blank form showed)."""
    for name, values in post.lists():
        if name in UNTYPED:
            continue
        shown = initial.get(name)
        shown = "" if shown in (None, False) else str(shown)
        if any(value.strip() and value != shown for value in values):
            return True
    # unticking (or ticking) "involves CII" is an answer too
    return "involves_cii" in initial and bool(initial["involves_cii"]) != ("involves_cii" in post)


class NewDraft:
    """The blank report form before anything is saved: no row, no reference. `key` makes
    every save of this form (autosave, the buttons, a retry) land on the same draft."""

    def __init__(self, request, params):
        organizations = roles_of(request.user).drafting_organizations()
        if not organizations:
            raise PermissionDenied(_("Only an operator's reporters can file reports."))
        wanted = params.get("organization") or ""
        if wanted:
            chosen = [o for o in organizations if str(o.pk) == str(wanted)]
        else:
            chosen = organizations if len(organizations) == 1 else []
        self.organization = chosen[0] if chosen else None
        key = (params.get("key") or params.get("request_key") or "")[:KEY_MAX]
        self.key = key or uuid.uuid4().hex
        self.request = request

    @property
    def idempotency_key(self) -> str:
        return f"web-new:{self.key}"

    def existing(self):
        found = IdempotencyKey.objects.filter(
            user=self.request.user, key=self.idempotency_key
        ).first()
        return found.report if found and found.report.discarded_at is None else None

    def unsaved(self) -> Report:
        report = Report(
            organization=self.organization,
            created_by=self.request.user,
            status=Status.DRAFT,
            involves_cii=self.organization.is_cii_operator,
        )
        derive(report)
        return report

    def initial(self) -> dict:
        initial = ReportForm.initial_for(self.unsaved())
        initial.pop("version")
        return initial

    def context(self, form) -> dict:
        report = self.unsaved()
        context = _edit_context(report, form, self.request.user)
        context.update(
            new_draft=self,
            copies=report._route_copies,
        )
        return context

    def save(self, form: ReportForm):
        """Create the draft from what parsed (or, for a repeat, save onto it). Returns
        (report, refused ValidationError or None). Raises StaleVersion, ActionForbidden."""
        report = self.existing()
        if report is not None:
            form = _rebind(self.request.POST, form.cleaned_data.get("version") or report.version)
            return save_draft(user=self.request.user, report=report, form=form)
        data = form.service_data()
        refused = None
        for _attempt in range(2):
            try:
                report, _created = report_create_idempotent(
                    user=self.request.user,
                    data=data,
                    organization=self.organization,
                    idempotency_key=self.idempotency_key,
                )
                return report, refused
            except ValidationError as exc:
                bad = set(getattr(exc, "error_dict", {})) & set(data)
                if refused is not None or not bad:
                    return None, exc
                refused = exc
                data = {name: value for name, value in data.items() if name not in bad}
        return None, refused


class NewDraftView(LoginRequiredMixin, View):
    """The blank form after the state-secret question. Saving (the button, or the autosave
    below) creates the draft; a submit creates and submits it."""

    def get(self, request):
        new = NewDraft(request, request.GET)
        if new.organization is None:
            return redirect("reports:new")
        existing = new.existing()
        if existing is not None:  # a reload after the first save
            return redirect("reports:edit", pk=existing.pk)
        form = ReportForm(initial=new.initial())
        return render(request, ReportEditView.template_name, new.context(form))

    def post(self, request):
        new = NewDraft(request, request.POST)
        if new.organization is None:
            return redirect("reports:new")
        form = ReportForm(data=request.POST)
        form.is_valid()
        submitting = request.POST.get("action") == "submit"
        if (
            not submitting
            and new.existing() is None
            and not _typed_something(request.POST, new.initial())
        ):
            messages.info(request, _("Nothing to save yet: the draft is created when you save."))
            return render(request, ReportEditView.template_name, new.context(form))
        try:
            report, refused = new.save(form)
        except StaleVersion as exc:
            messages.error(request, str(exc.message))
            return redirect("reports:edit", pk=new.existing().pk)
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc.message)) from exc
        if report is None:
            form.add_service_errors(refused)
            messages.error(request, _("The draft was not saved: correct the fields marked below."))
            return render(request, ReportEditView.template_name, new.context(form))
        if submitting and report.status == Status.DRAFT:
            return SubmitView().submit(request, report, _rebind(request.POST, report.version))
        messages.success(
            request,
            _("Draft %(ref)s created.") % {"ref": report.reference}
            if refused is None
            else _("Draft %(ref)s created, except the fields marked below.")
            % {"ref": report.reference},
        )
        return redirect("reports:edit", pk=report.pk)


class NewDraftAutosaveView(LoginRequiredMixin, View):
    """htmx: the blank form's autosave. Creates the draft at the first save of something
    typed (never for an untouched form); later saves of the same form update it."""

    def post(self, request):
        new = NewDraft(request, request.POST)
        context = {"saved_at": None, "errors": [], "stale": False}
        if new.organization is None:
            raise PermissionDenied(_("Choose the organisation you report for."))
        form = ReportForm(data=request.POST)
        form.is_valid()
        if new.existing() is None and not _typed_something(request.POST, new.initial()):
            context["nothing"] = True
            return render(request, "reports/_autosave.html", context)
        try:
            report, refused = new.save(form)
        except StaleVersion as exc:
            context.update(stale=True, message=str(exc.message))
            return render(request, "reports/_autosave.html", context)
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc.message)) from exc
        if report is not None and report.status != Status.DRAFT:
            context["submitted"] = True
            return render(request, "reports/_autosave.html", context)
        if report is not None:
            context.update(
                report=report, saved_at=timezone.now(), version=report.version, created=report
            )
        if refused is not None:
            form.add_service_errors(refused)
        context["errors"] = [
            (form[name].label if name in form.fields else "", errors)
            for name, errors in form.errors.items()
            if name != "version"
        ]
        return render(request, "reports/_autosave.html", context)


def _secrets_key(pk) -> str:
    return f"state-secrets-answered:{pk}"


class RequiredDraftSecretsView(LoginRequiredMixin, View):
    """Art. 13 for a draft an authority required: the operator answers the state-secret
    question before entering anything in it (once per session), as for a new report."""

    template_name = "reports/report_new.html"

    def _context(self, report, form):
        return {
            "form": form,
            "report": report,
            "form_action": reverse("reports:state_secrets", args=[report.pk]),
        }

    def _draft(self, request, pk):
        report = report_get(user=request.user, pk=pk)
        if not roles_of(request.user).can_edit_draft(report):
            raise PermissionDenied()
        return report

    def get(self, request, pk):
        report = self._draft(request, pk)
        return render(request, self.template_name, self._context(report, StateSecretForm()))

    def post(self, request, pk):
        report = self._draft(request, pk)
        form = StateSecretForm(data=request.POST)
        if not form.is_valid():
            return render(request, self.template_name, self._context(report, form))
        if form.cleaned_data["involves_state_secrets"] == "yes":
            return redirect("reports:confidential")
        request.session[_secrets_key(report.pk)] = True
        return redirect("reports:edit", pk=report.pk)


class ConfidentialChannelView(LoginRequiredMixin, TemplateView):
    template_name = "reports/confidential.html"
    extra_context = {"refusal": STATE_SECRETS_REFUSAL}


class ReportEditView(LoginRequiredMixin, View):
    template_name = "reports/report_form.html"

    def get(self, request, pk):
        report = report_get(user=request.user, pk=pk)
        if report.status != Status.DRAFT:
            return redirect("review:report", pk=report.pk)
        if report.requested_by_id and not request.session.get(_secrets_key(report.pk)):
            return redirect("reports:state_secrets", pk=report.pk)
        form = ReportForm(initial=ReportForm.initial_for(report))
        return render(request, self.template_name, _edit_context(report, form, request.user))

    def post(self, request, pk):
        """The "Save draft" button, without JavaScript (the htmx autosave uses AutosaveView)."""
        report = report_get(user=request.user, pk=pk)
        if report.status != Status.DRAFT:
            messages.info(request, _("This report has been submitted; it can no longer be edited."))
            return redirect("review:report", pk=report.pk)
        form = ReportForm(data=request.POST)
        form.is_valid()
        try:
            saved, refused = save_draft(user=request.user, report=report, form=form)
        except StaleVersion as exc:
            messages.error(request, str(exc.message))
            return render(
                request, self.template_name, _edit_context(report, form, request.user), status=409
            )
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except InvalidTransition as exc:
            messages.error(request, str(exc.message))
            return redirect("review:report", pk=report.pk)
        if saved is not None and refused is None and not form.errors:
            messages.success(
                request, _("Draft saved at %(time)s.") % {"time": _hhmm(timezone.now())}
            )
            return redirect("reports:edit", pk=saved.pk)
        if saved is not None:
            report = saved
            form = _rebind(request.POST, saved.version)
            messages.warning(
                request,
                _("Draft saved at %(time)s, except the fields marked below.")
                % {"time": _hhmm(timezone.now())},
            )
        else:
            messages.error(request, _("The draft was not saved: correct the fields marked below."))
        if refused is not None:
            form.add_service_errors(refused)
        return render(request, self.template_name, _edit_context(report, form, request.user))


class AutosaveView(LoginRequiredMixin, View):
    """htmx: save the whole form in the background; answers with a small status partial
    (and the new version, swapped out of band into the form)."""

    def post(self, request, pk):
        report = report_get(user=request.user, pk=pk)
        context = {"report": report, "saved_at": None, "errors": [], "stale": False}
        if report.status != Status.DRAFT:
            context["submitted"] = True
            return render(request, "reports/_autosave.html", context)
        form = ReportForm(data=request.POST)
        form.is_valid()
        try:
            saved, refused = save_draft(user=request.user, report=report, form=form)
        except StaleVersion as exc:
            context.update(stale=True, message=str(exc.message))
            return render(request, "reports/_autosave.html", context)
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc.message)) from exc
        if saved is not None:
            context.update(report=saved, saved_at=timezone.now(), version=saved.version)
        if refused is not None:
            form.add_service_errors(refused)
        context["errors"] = [
            (form[name].label if name in form.fields else "", errors)
            for name, errors in form.errors.items()
            if name != "version"
        ]
        return render(request, "reports/_autosave.html", context)


class SubmitView(LoginRequiredMixin, View):
    """Submit in one service call. A repeat (double click, reload) just shows the report."""

    def post(self, request, pk):
        report = report_get(user=request.user, pk=pk)
        if report.status != Status.DRAFT:
            return redirect("review:report", pk=report.pk)
        return self.submit(request, report, ReportForm(data=request.POST))

    def submit(self, request, report, form):
        if not form.is_valid():
            return self._not_submitted(request, report, form, None)
        try:
            submitted = report_submit(
                user=request.user,
                pk=report.pk,
                data=form.service_data(fallback_indicators=report.indicators),
                version=form.cleaned_data["version"],
                via=ReceivedVia.WEB,
            )
        except StaleVersion as exc:
            messages.error(request, str(exc.message))
            return render(
                request,
                ReportEditView.template_name,
                _edit_context(report, form, request.user),
                status=409,
            )
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except ValidationError as exc:
            return self._not_submitted(request, report, form, exc)
        messages.success(
            request,
            _("Report %(ref)s submitted to %(authority)s.")
            % {"ref": submitted.reference, "authority": submitted.receiving_authority},
        )
        return redirect("review:report", pk=submitted.pk)

    def _not_submitted(self, request, report, form, exc):
        """Keep what was typed (saved as the draft, where it parses), show the errors."""
        try:
            saved, refused = save_draft(user=request.user, report=report, form=form)
        except StaleVersion as stale:
            messages.error(request, str(stale.message))
            return render(
                request,
                ReportEditView.template_name,
                _edit_context(report, form, request.user),
                status=409,
            )
        if saved is not None:
            report = saved
            form = _rebind(request.POST, saved.version)
        if exc is not None:
            form.add_service_errors(exc)
        if refused is not None:
            form.add_service_errors(refused)
        messages.error(
            request,
            _("The report was not submitted: complete or correct the fields marked below."),
        )
        return render(
            request, ReportEditView.template_name, _edit_context(report, form, request.user)
        )


class DiscardView(LoginRequiredMixin, View):
    """The draft page's "Discard this draft" button (the confirmation is on the page)."""

    def post(self, request, pk):
        try:
            report = report_discard(user=request.user, pk=pk)
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except InvalidTransition as exc:
            messages.error(request, str(exc.message))
            return redirect("review:report", pk=pk)
        messages.success(request, _("Draft %(ref)s discarded.") % {"ref": report.reference})
        return redirect("reports:list")


class GradingPreviewView(LoginRequiredMixin, View):
    """htmx: the suggested level for the indicators as typed (nothing is saved)."""

    def post(self, request):
        form = GradingPreviewForm(data=request.POST)
        form.is_valid()
        declared = form.cleaned_data.get("severity_declared") or None
        grading = severity_preview(form.indicators(), declared)
        field_errors = [
            (form[name].label, errors)
            for name, errors in form.errors.items()
            if name in form.fields
        ]
        return render(
            request, "reports/_grading.html", {"grading": grading, "field_errors": field_errors}
        )


class AttachmentDownloadView(LoginRequiredMixin, View):
    """Evidence: anyone who may see the report downloads it (404 otherwise)."""

    def get(self, request, pk, aid):
        attachment = attachment_get(user=request.user, report_pk=pk, pk=aid)
        return download_response(attachment.file, attachment.name, attachment.content_type)


class ReceiptPdfView(LoginRequiredMixin, View):
    """The receipt (回执) of a submitted report, as a PDF, for whoever may see the report
    (404 otherwise). A draft has no receipt (404)."""

    def get(self, request, pk):
        report = report_get(user=request.user, pk=pk)
        if report.status == Status.DRAFT or report.submitted_at is None:
            raise Http404(_("A draft has no receipt: it has not been submitted."))
        pdf = receipt_pdf(report, digest=submitted_digest(report))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{report.reference}-receipt.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response
