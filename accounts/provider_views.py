"""Service-provider delegation (Art. 5), for an operator's reporters: who may draft the
organisation's reports, grant by username, revoke. The writes are
`accounts.services.provider_grant` / `provider_revoke`; the membership history records
both."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import ActionForbidden

from .forms import ProviderGrantForm
from .models import Membership
from .roles import roles_of
from .services import provider_grant, provider_revoke


class ProvidersView(LoginRequiredMixin, View):
    template_name = "accounts/providers.html"

    def _organizations(self, request) -> list:
        organizations = roles_of(request.user).reporter_organizations()
        if not organizations:
            raise PermissionDenied(_("Only the operator's reporters manage service providers."))
        return organizations

    def _render(self, request, organizations, form, status=200):
        providers = (
            Membership.objects.filter(
                role=Membership.Role.PROVIDER_DRAFTER,
                organization__in=[o.pk for o in organizations],
            )
            .select_related("user", "organization")
            .order_by("organization__name", "user__username")
        )
        return render(
            request,
            self.template_name,
            {"providers": providers, "form": form, "organizations": organizations},
            status=status,
        )

    def get(self, request):
        organizations = self._organizations(request)
        return self._render(request, organizations, ProviderGrantForm(organizations=organizations))

    def post(self, request):
        organizations = self._organizations(request)
        form = ProviderGrantForm(data=request.POST, organizations=organizations)
        if form.is_valid():
            try:
                membership = provider_grant(
                    user=request.user,
                    organization_id=form.cleaned_data["organization"],
                    provider_username=form.cleaned_data["provider"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            except ActionForbidden as exc:
                raise PermissionDenied(str(exc.message)) from exc
            else:
                messages.success(
                    request,
                    _("%(user)s may now draft reports for %(org)s.")
                    % {"user": membership.user.get_username(), "org": membership.organization},
                )
                return redirect("providers")
        return self._render(request, organizations, form, status=422)


class ProviderRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk):
        try:
            provider_revoke(user=request.user, membership_id=pk)
        except ActionForbidden:
            raise Http404 from None  # another organisation's provider: as if it did not exist
        messages.success(request, _("The service provider may no longer draft reports."))
        return redirect("providers")
