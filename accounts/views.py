from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticToken

from .otp import (
    confirm_totp_device,
    is_verified,
    pending_totp_device,
    totp_key_base32,
    verify_second_factor,
)
from .qr import qr_svg
from .roles import roles_of


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _setup_context(device) -> dict:
    """What an authenticator app needs: the QR code of the otpauth:// URI, and the key and
    the URI in words for whoever types them in."""
    config_url = device.config_url
    return {
        "secret": totp_key_base32(device),
        "config_url": config_url,
        "qr": qr_svg(config_url, title=str(_("QR code for your authenticator app"))),
    }


class TwoFactorView(LoginRequiredMixin, View):
    """Set up an authenticator (first time) or verify a code (every login)."""

    template_name = "accounts/two_factor.html"

    def _context(self, request, form):
        setup = not user_has_device(request.user, confirmed=True)
        context = {"form": form, "setup": setup, "next": _next_url(request)}
        if setup:
            device = pending_totp_device(request.user)
            context.update(_setup_context(device))
        return context

    def get(self, request):
        if is_verified(request.user):
            return redirect(_next_url(request))
        return render(request, self.template_name, self._context(request, TokenForm()))

    def post(self, request):
        form = TokenForm(request.POST)
        if form.is_valid():
            token = form.cleaned_data["token"]
            if user_has_device(request.user, confirmed=True):
                if verify_second_factor(request, token):
                    return redirect(_next_url(request))
            else:
                codes = confirm_totp_device(request, pending_totp_device(request.user), token)
                if codes is not None:
                    messages.success(request, _("Two-factor login is on."))
                    return render(
                        request,
                        "accounts/recovery_codes.html",
                        {"codes": codes, "next": _next_url(request)},
                    )
            form.add_error("token", _("That code is not valid. Try the current one."))
        return render(request, self.template_name, self._context(request, form))


class ProfileView(LoginRequiredMixin, View):
    """The user's own page: name, organisation or authority and roles, the password, and
    two-factor login (turned on here by scanning a QR code; required for authority staff,
    who have it on before they reach this page)."""

    template_name = "accounts/profile.html"

    def _context(self, request, form):
        user = request.user
        two_factor_on = user_has_device(user, confirmed=True)
        context = {
            "form": form,
            "memberships": roles_of(user).memberships,
            "two_factor_on": two_factor_on,
        }
        if two_factor_on:
            context["recovery_codes_left"] = StaticToken.objects.filter(
                device__user=user, device__confirmed=True
            ).count()
        else:
            context.update(_setup_context(pending_totp_device(user)))
        return context

    def get(self, request):
        return render(request, self.template_name, self._context(request, TokenForm()))

    def post(self, request):
        """Confirm the authenticator with its first code: two-factor login is then on."""
        form = TokenForm(request.POST)
        if user_has_device(request.user, confirmed=True):
            return redirect("profile")
        if form.is_valid():
            device = pending_totp_device(request.user)
            codes = confirm_totp_device(request, device, form.cleaned_data["token"])
            if codes is not None:
                messages.success(request, _("Two-factor login is on."))
                return render(
                    request,
                    "accounts/recovery_codes.html",
                    {"codes": codes, "next": reverse("profile")},
                )
            form.add_error("token", _("That code is not valid. Try the current one."))
        return render(request, self.template_name, self._context(request, form), status=200)
