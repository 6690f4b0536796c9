"""API token authentication: the token, the user and the user's memberships in one query
(the request's one read of who the user is and what they may do, `accounts.roles`); a token
expires, and is refused while the account is locked out (docs/DECISIONS.md, Security: "API
tokens")."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from core.prefetch import remember_related

from .models import Membership


def token_expires_at(token):
    return token.created + timedelta(days=settings.API_TOKEN_TTL_DAYS)


def token_expired(token, now=None) -> bool:
    return (now or timezone.now()) >= token_expires_at(token)


def _lockouts(now):
    """Too many failed logins within the cool-off, from any address (by username)."""
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=now - settings.AXES_COOLOFF_TIME,
    )


def account_locked_out(user, now=None) -> bool:
    """The account is locked for the API too while it is locked for the login page."""
    now = now or timezone.now()
    return _lockouts(now).filter(username=user.get_username()).exists()


class TokenWithRolesAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, as DRF's `TokenAuthentication` (which refuses an inactive
    account), plus: a token older than `API_TOKEN_TTL_DAYS` is refused (a new one comes from
    `POST /api/v1/auth/token/`), and so is any token of an account that is locked out. A user
    who holds memberships is read with them and with the lockout in one query."""

    def authenticate_credentials(self, key):
        now = timezone.now()
        memberships = list(
            Membership.objects.filter(user__auth_token__key=key)
            .select_related("user", "organization", "authority")
            .annotate(
                token_created=F("user__auth_token__created"),
                locked_out=Exists(_lockouts(now).filter(username=OuterRef("user__username"))),
            )
            .order_by("pk")
        )
        if not memberships:  # no membership (or no such token): DRF's own read
            user, token = super().authenticate_credentials(key)
            locked = account_locked_out(user, now)
        else:
            user = memberships[0].user
            if not user.is_active:
                raise AuthenticationFailed(_("User inactive or deleted."))
            for membership in memberships:
                membership.user = user
            remember_related(user, "memberships", memberships)
            token = Token(key=key, user=user, created=memberships[0].token_created)
            token._state.adding = False
            locked = memberships[0].locked_out
        if token_expired(token, now):
            raise AuthenticationFailed(
                _("The token has expired: obtain a new one from /api/v1/auth/token/.")
            )
        if locked:
            raise AuthenticationFailed(
                _("The account is locked after too many failed logins: try again later.")
            )
        return user, token
