"""Public tip-offs (Art. 6): the form anyone may fill in without logging in, and the triage
pages of the national CAC and the provincial CAC of the province named. Hostile input is
the norm here: the service (`tipoffs.services.tipoff_submit`) rate-limits per address and
guards against spam; the templates show everything escaped."""

import secrets

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import Organization
from accounts.roles import roles_of
from core.exceptions import ActionForbidden, InvalidTransition
from core.pages import LitePage, client_address
from reports.selectors import organization_search

from . import services
from .forms import TipOffDismissForm, TipOffForm, TipOffRecordForm
from .models import TipOff, receipt_number

SIGNER_SALT = "reports.tipoff.rendered_at"  # unchanged: forms already shown stay valid


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SIGNER_SALT)


def sign_render_time(now=None) -> str:
    """The moment the form was shown, signed (a robot cannot pretend it took its time)."""
    moment = (now or timezone.now()).timestamp()
    return _signer().sign(f"{moment:.3f}")


def render_time(token: str) -> float | None:
    """The signed moment back, or None when the token is missing or forged."""
    try:
        return float(_signer().unsign(token or ""))
    except (signing.BadSignature, ValueError):
        return None


RECEIPT_KEY = "tipoff_receipt"


class TipOffView(View):
    """`/tipoff/`: no login."""

    template_name = "tipoffs/form.html"

    def _render(self, request, form, status=200):
        return render(
            request,
            self.template_name,
            {"form": form, "rendered_at": sign_render_time()},
            status=status,
        )

    def get(self, request):
        return self._render(request, TipOffForm())

    def post(self, request):
        form = TipOffForm(data=request.POST)
        if request.POST.get("website"):
            # the honeypot: told nothing, stores nothing (the service returns None)
            services.tipoff_submit(
                data={"website": request.POST["website"]}, address="", rendered_at=None
            )
            # a number like any other, so that the page does not tell the robot it was caught
            request.session[RECEIPT_KEY] = receipt_number(
                timezone.localtime().year, secrets.randbelow(900_000) + 100_000
            )
            return redirect("tipoffs:thanks")
        if not form.is_valid():
            return self._render(request, form, status=422)
        try:
            tipoff = services.tipoff_submit(
                data=form.service_data(),
                address=client_address(request),
                rendered_at=render_time(form.cleaned_data.get("rendered_at")),
                form_token=form.cleaned_data.get("rendered_at") or "",
            )
        except services.RateLimited:
            return render(request, "tipoffs/limited.html", status=429)
        except ValidationError as exc:
            form.add_service_errors(exc)
            return self._render(request, form, status=422)
        request.session[RECEIPT_KEY] = tipoff.receipt
        return redirect("tipoffs:thanks")


class TipOffThanksView(View):
    def get(self, request):
        """Shows the receipt number once, to the browser that sent the tip-off."""
        return render(
            request, "tipoffs/thanks.html", {"receipt": request.session.pop(RECEIPT_KEY, "")}
        )


# --- Triage ---------------------------------------------------------------------------------


class _TriageMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not roles_of(request.user).can_triage_tipoffs:
            raise PermissionDenied(_("Tip-offs are triaged by the national and provincial CAC."))
        return super().dispatch(request, *args, **kwargs)


TRIAGE_TABS = ("new", "recorded", "dismissed")


class TipOffQueueView(_TriageMixin, View):
    def get(self, request):
        status = request.GET.get("status") or TipOff.Status.NEW
        if status not in TRIAGE_TABS:
            status = TipOff.Status.NEW
        queryset = services.tipoff_queue(user=request.user).filter(status=status)
        page = LitePage(queryset, request.GET.get("page"))
        counts = services.tipoff_counts(user=request.user)  # one query, grouped by status
        tabs = [(value, label, counts.get(value, 0)) for value, label in TipOff.Status.choices]
        return render(
            request,
            "tipoffs/queue.html",
            {"page_obj": page, "status": status, "tabs": tabs},
        )


class TipOffDetailView(_TriageMixin, View):
    template_name = "tipoffs/detail.html"

    def _tipoff(self, request, pk) -> TipOff:
        tipoff = services.tipoff_queue(user=request.user).filter(pk=pk).first()
        if tipoff is None:
            raise Http404
        return tipoff

    def _render(self, request, tipoff, *, record_form=None, dismiss_form=None, status=200):
        query = request.POST.get("org_q") if request.method == "POST" else request.GET.get("org_q")
        if query is None:
            query = tipoff.organization_name
        query = (query or "").strip()[:200]
        organizations = organization_search(query)
        selected_pk = None
        if record_form is not None and record_form.is_bound:
            selected = Organization.objects.filter(
                pk=record_form.data.get("organization") or None
            ).first()
            if selected is not None:
                selected_pk = selected.pk
                if all(o.pk != selected.pk for o in organizations):
                    organizations = [selected, *organizations]
        return render(
            request,
            self.template_name,
            {
                "tipoff": tipoff,
                "record_form": record_form or TipOffRecordForm(initial={"title": tipoff.title}),
                "dismiss_form": dismiss_form or TipOffDismissForm(),
                "organizations": organizations,
                "org_q": query,
                "selected_pk": selected_pk,
            },
            status=status,
        )

    def get(self, request, pk):
        return self._render(request, self._tipoff(request, pk))

    def post(self, request, pk):
        tipoff = self._tipoff(request, pk)
        decision = request.POST.get("decision")
        try:
            if decision == "record":
                form = TipOffRecordForm(data=request.POST)
                if not form.is_valid():
                    return self._render(request, tipoff, record_form=form, status=422)
                organization = Organization.objects.filter(
                    pk=form.cleaned_data["organization"]
                ).first()
                if organization is None:
                    form.add_error("organization", _("Choose the organisation."))
                    return self._render(request, tipoff, record_form=form, status=422)
                try:
                    recorded = services.tipoff_record(
                        user=request.user,
                        pk=tipoff.pk,
                        organization=organization,
                        title=form.cleaned_data["title"],
                    )
                except ValidationError as exc:
                    form.add_service_errors(exc)
                    return self._render(request, tipoff, record_form=form, status=422)
                messages.success(
                    request,
                    _("%(ref)s: %(org)s is required to report the incident.")
                    % {"ref": recorded.report.reference, "org": organization.name},
                )
                return redirect("review:report", pk=recorded.report_id)
            if decision == "dismiss":
                form = TipOffDismissForm(data=request.POST)
                if not form.is_valid():
                    return self._render(request, tipoff, dismiss_form=form, status=422)
                try:
                    services.tipoff_dismiss(
                        user=request.user, pk=tipoff.pk, reason=form.cleaned_data["reason"]
                    )
                except ValidationError as exc:
                    form.add_service_errors(exc)
                    return self._render(request, tipoff, dismiss_form=form, status=422)
                messages.success(request, _("The tip-off is dismissed."))
                return redirect("tipoffs:queue")
        except InvalidTransition as exc:
            messages.error(request, str(exc.message))
            return redirect("tipoffs:detail", pk=tipoff.pk)
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc.message)) from exc
        return HttpResponseBadRequest()
