"""The intake officer's pages: recording a report received by telephone, e-mail, fax or
WeChat, and the inbox of e-mail and fax (triage)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.roles import roles_of
from core.exceptions import ActionForbidden

from .forms import IntakeReportForm
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
