"""Evidence attachments on the report page: upload (the operator's reporters, and a service
provider on the drafts it wrote) and download (anyone who may see the report; 404
otherwise). The checks on the content are `reports.services.attachment_add`'s."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View

from . import services
from .exceptions import ActionForbidden, InvalidTransition
from .forms import EvidenceForm
from .review_selectors import report_page_get
from .review_views import load_memberships, render_report_page


def evidence_response(attachment):
    """The stored file, as a download the browser never renders: nosniff, and a sandboxing
    Content-Security-Policy for the response itself."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


class AttachmentUploadView(LoginRequiredMixin, View):
    def post(self, request, pk):
        load_memberships(request.user)
        report = report_page_get(user=request.user, pk=pk)
        form = EvidenceForm(
            data=request.POST, files=request.FILES, followups=list(report.followups.all())
        )
        if form.is_valid():
            try:
                attachment = services.attachment_add(
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
                return redirect("reports:detail", pk=report.pk)
            else:
                messages.success(
                    request,
                    _("%(name)s attached (SHA-256 %(sha)s).")
                    % {"name": attachment.name, "sha": attachment.sha256},
                )
                return redirect("reports:detail", pk=report.pk)
        return render_report_page(request, report, partial=False, status=422, evidence_form=form)


class AttachmentDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk, aid):
        attachment = services.attachment_get(user=request.user, report_pk=pk, pk=aid)
        return evidence_response(attachment)
