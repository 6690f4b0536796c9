"""The intake officer's pages: recording a report received by telephone, e-mail, fax or
WeChat, and the inbox of e-mail and fax (triage)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.roles import roles_of
from core.exceptions import ActionForbidden, InvalidTransition
from core.pages import LitePage, download_response

from .forms import AddToReportForm, DismissForm, IntakeReportForm
from .models import InboxItem
from .services.inbox import (
    inbox_counts,
    inbox_item_add,
    inbox_item_dismiss,
    inbox_item_get,
    inbox_item_report,
    inbox_items,
    prefill,
)
from .services.recording import intake_report_record


class IntakeOnlyMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not roles_of(request.user).is_intake_officer:
            raise PermissionDenied(_("Only the 12387 service's intake officers can do this."))
        return super().dispatch(request, *args, **kwargs)


class RecordReportView(IntakeOnlyMixin, View):
    template_name = "intake/record.html"

    def get(self, request):
        return render(request, self.template_name, {"form": IntakeReportForm()})

    def post(self, request):
        form = IntakeReportForm(data=request.POST)
        if form.is_valid():
            try:
                report = intake_report_record(user=request.user, **form.service_kwargs())
            except ValidationError as exc:
                form.add_service_errors(exc)
            except ActionForbidden as exc:
                raise PermissionDenied(str(exc.message)) from exc
            else:
                messages.success(
                    request,
                    _("%(ref)s recorded for %(org)s and sent to %(authority)s.")
                    % {
                        "ref": report.reference,
                        "org": report.organization.name,
                        "authority": report.receiving_authority,
                    },
                )
                return redirect("review:report", pk=report.pk)
        return render(request, self.template_name, {"form": form}, status=422)


INBOX_TABS = [
    (InboxItem.Status.NEW, InboxItem.Status.NEW.label),
    (InboxItem.Status.ADDED, InboxItem.Status.ADDED.label),
    (InboxItem.Status.REPORTED, InboxItem.Status.REPORTED.label),
    (InboxItem.Status.DISMISSED, InboxItem.Status.DISMISSED.label),
]


class InboxView(IntakeOnlyMixin, View):
    def get(self, request):
        status = request.GET.get("status") or InboxItem.Status.NEW
        if status not in InboxItem.Status.values:
            status = InboxItem.Status.NEW
        items = inbox_items(user=request.user).filter(status=status).defer("raw", "body")
        counts = inbox_counts(user=request.user)  # one query, grouped by status
        return render(
            request,
            "intake/inbox.html",
            {
                "page_obj": LitePage(items, request.GET.get("page")),
                "tabs": [(value, label, counts.get(value, 0)) for value, label in INBOX_TABS],
                "status": status,
            },
        )


def _item_context(item, **forms_) -> dict:
    context = {
        "item": item,
        "files": list(item.files.all()),
        "add_form": AddToReportForm(initial={"reference": item.quoted_reference}),
        "dismiss_form": DismissForm(),
    }
    context.update(forms_)
    return context


class InboxItemView(IntakeOnlyMixin, View):
    def get(self, request, pk):
        item = inbox_item_get(user=request.user, pk=pk)
        return render(request, "intake/item.html", _item_context(item))


class InboxItemActionView(IntakeOnlyMixin, View):
    """POST: add the message to a report, or dismiss it."""

    def post(self, request, pk, action):
        item = inbox_item_get(user=request.user, pk=pk)
        if action == "add":
            form, key = AddToReportForm(data=request.POST), "add_form"
        elif action == "dismiss":
            form, key = DismissForm(data=request.POST), "dismiss_form"
        else:
            raise Http404
        if form.is_valid():
            try:
                if action == "add":
                    inbox_item_add(
                        user=request.user, pk=item.pk, reference=form.cleaned_data["reference"]
                    )
                    messages.success(request, _("The message was added to the report."))
                else:
                    inbox_item_dismiss(
                        user=request.user, pk=item.pk, reason=form.cleaned_data["reason"]
                    )
                    messages.success(request, _("The message was dismissed."))
                return redirect("intake:inbox")
            except ValidationError as exc:
                form.add_service_errors(exc)
            except InvalidTransition as exc:
                form.add_error(None, str(exc.message))
        return render(request, "intake/item.html", _item_context(item, **{key: form}), status=422)


class InboxItemReportView(IntakeOnlyMixin, View):
    """The recording form, prefilled from the message; the message joins the new report."""

    template_name = "intake/record.html"

    def _context(self, item, form):
        return {"form": form, "item": item, "action": reverse("intake:item_report", args=[item.pk])}

    def get(self, request, pk):
        item = inbox_item_get(user=request.user, pk=pk)
        form = IntakeReportForm(initial=prefill(item))
        return render(request, self.template_name, self._context(item, form))

    def post(self, request, pk):
        item = inbox_item_get(user=request.user, pk=pk)
        form = IntakeReportForm(data=request.POST)
        if form.is_valid():
            try:
                report = inbox_item_report(user=request.user, pk=item.pk, **form.service_kwargs())
            except ValidationError as exc:
                form.add_service_errors(exc)
            except InvalidTransition as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(
                    request,
                    _("%(ref)s recorded from the message.") % {"ref": report.reference},
                )
                return redirect("review:report", pk=report.pk)
        return render(request, self.template_name, self._context(item, form), status=422)


class InboxFileView(IntakeOnlyMixin, View):
    def get(self, request, pk, fid):
        item = inbox_item_get(user=request.user, pk=pk)
        stored = item.files.filter(pk=fid).first()
        if stored is None:
            raise Http404
        return download_response(stored.file, stored.name, stored.content_type)
