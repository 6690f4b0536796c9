"""API token authentication with an expiry, refused while the account is locked out
(docs/DECISIONS.md, Security: "API tokens")."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def token_expires_at(token):
    return token.created + timedelta(days=settings.API_TOKEN_TTL_DAYS)


def token_expired(token, now=None) -> bool:
    return (now or timezone.now()) >= token_expires_at(token)


def account_locked_out(user, now=None) -> bool:
    """Too many failed logins for this username within the cool-off, from any address: the
    account is locked for the API too."""
    now = now or timezone.now()
    return AccessAttempt.objects.filter(
        username=user.get_username(),
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=now - settings.AXES_COOLOFF_TIME,
    ).exists()


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication (which already refuses an inactive account), plus: a token
    older than `API_TOKEN_TTL_DAYS` is refused (a new one comes from `POST
    /api/v1/auth/token/`), and so is any token of an account that is locked out."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed(
                _("The token has expired: obtain a new one from /api/v1/auth/token/.")
            )
        if account_locked_out(user):
            raise exceptions.AuthenticationFailed(
                _("The account is locked after too many failed logins: try again later.")
            )
        return user, token
