from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django_otp import user_has_device

from .otp import (
    confirm_totp_device,
    is_verified,
    pending_totp_device,
    totp_key_base32,
    verify_second_factor,
)


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


class TwoFactorView(LoginRequiredMixin, View):
    """Set up an authenticator (first time) or verify a code (every login)."""

    template_name = "accounts/two_factor.html"

    def _context(self, request, form):
        setup = not user_has_device(request.user, confirmed=True)
        context = {"form": form, "setup": setup, "next": _next_url(request)}
        if setup:
            device = pending_totp_device(request.user)
            context["secret"] = totp_key_base32(device)
            context["config_url"] = device.config_url
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
