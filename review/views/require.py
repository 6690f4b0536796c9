"""Requiring a report: authority staff record an incident learned of elsewhere and require
the operator to report it (`report_require`)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import Organization
from accounts.roles import roles_of
from core.exceptions import ActionForbidden
from reports.selectors import organization_search

from ..forms import RequireForm
from ..services.requests import report_require


class _StaffOnlyMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not roles_of(request.user).can_require:
            raise PermissionDenied(
                _("Only receiving reviewers and national officials can do this.")
            )
        return super().dispatch(request, *args, **kwargs)


class RequireReportView(_StaffOnlyMixin, View):
    template_name = "review/require.html"

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
                report = report_require(
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
                return redirect("review:report", pk=report.pk)
        return render(request, self.template_name, self._context(request, form, query), status=422)


class OrganizationSearchView(_StaffOnlyMixin, View):
    """htmx: organisations by name or unified social credit code (radio choices)."""

    def get(self, request):
        query = request.GET.get("org_q", "").strip()
        return render(
            request,
            "review/_organization_choices.html",
            {"organizations": organization_search(query), "org_q": query, "selected_pk": None},
        )
