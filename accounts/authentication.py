"""API token authentication that reads the user's memberships in the same query: the
request's one read of who the user is and what they may do (`accounts.roles`)."""

from django.db.models import F
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from core.prefetch import remember_related

from .models import Membership


class TokenWithRolesAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, as DRF's `TokenAuthentication`; a user who holds
    memberships is read with them (one query, not two)."""

    def authenticate_credentials(self, key):
        memberships = list(
            Membership.objects.filter(user__auth_token__key=key)
            .select_related("user", "organization", "authority")
            .annotate(token_created=F("user__auth_token__created"))
            .order_by("pk")
        )
        if not memberships:  # no membership (or no such token): DRF's own read
            return super().authenticate_credentials(key)
        user = memberships[0].user
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        for membership in memberships:
            membership.user = user
        remember_related(user, "memberships", memberships)
        token = Token(key=key, user=user, created=memberships[0].token_created)
        token._state.adding = False
        return (user, token)
