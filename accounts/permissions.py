from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token
from rest_framework.permissions import BasePermission

from .otp import is_verified, requires_second_factor


class SecondFactorVerified(BasePermission):
    """A browser session calling the API must have passed two-factor login where the account
    needs it; a token was only issued with a valid `otp`."""

    message = _("Complete two-factor login first.")

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated or isinstance(request.auth, Token):
            return True
        return not requires_second_factor(user) or is_verified(user)
