"""API token authentication: the token, the user and the user's memberships in one query
(the request's one read of who the user is and what they may do, `accounts.roles`); a token
expires, and is refused while the account is locked out (docs/DECISIONS.md, Security: "API
tokens")."""

from datetime import timedelta
from functools import cache

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from core.prefetch import remember_related

from .models import Authority, Membership, Organization


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
    who holds memberships is read with them and with the lockout in one query
    (`token_memberships`)."""

    def authenticate_credentials(self, key):
        now = timezone.now()
        memberships, token_created, locked = token_memberships(key, now)
        if not memberships:  # no membership (or no such token): DRF's own read
            user, token = super().authenticate_credentials(key)
            locked = account_locked_out(user, now)
        else:
            user = memberships[0].user
            if not user.is_active:
                raise AuthenticationFailed(_("User inactive or deleted."))
            remember_related(user, "memberships", memberships)
            token = Token(key=key, user=user, created=token_created)
            token._state.adding = False
        if token_expired(token, now):
            raise AuthenticationFailed(
                _("The token has expired: obtain a new one from /api/v1/auth/token/.")
            )
        if locked:
            raise AuthenticationFailed(
                _("The account is locked after too many failed logins: try again later.")
            )
        return user, token


# Every API request reads its token this way, so the query is written once per process
# (from the models' own tables and columns) rather than built by the ORM each time: the
# ORM's building of this four-table query with its lockout subquery cost 1.5 ms of CPU a
# request, ten times its execution (docs/DECISIONS.md, "Departures from the house style").
_PARTS = (Membership, get_user_model(), Organization, Authority)


@cache
def _token_query(vendor: str) -> tuple[str, list, list]:
    """The SQL; for each model of `_PARTS`, its fields in the order selected; and each
    field's converters (the backend's and its own, as the ORM applies them), for `_converted`."""
    q = connection.ops.quote_name
    membership, user, organization, authority = (m._meta.db_table for m in _PARTS)
    fields = [list(model._meta.concrete_fields) for model in _PARTS]
    columns = ", ".join(
        f"{q(alias)}.{q(field.column)}"
        for alias, model_fields in zip("muoa", fields, strict=True)
        for field in model_fields
    )
    attempts = AccessAttempt._meta.db_table
    sql = (
        f"SELECT {columns}, t.{q('created')}, EXISTS (SELECT 1 FROM {q(attempts)} x"
        f" WHERE x.{q('username')} = u.{q('username')}"
        f" AND x.{q('failures_since_start')} >= %s AND x.{q('attempt_time')} >= %s)"
        f" FROM {q(Token._meta.db_table)} t"
        f" INNER JOIN {q(user)} u ON u.{q('id')} = t.{q('user_id')}"
        f" INNER JOIN {q(membership)} m ON m.{q('user_id')} = u.{q('id')}"
        f" LEFT OUTER JOIN {q(organization)} o ON o.{q('id')} = m.{q('organization_id')}"
        f" LEFT OUTER JOIN {q(authority)} a ON a.{q('id')} = m.{q('authority_id')}"
        f" WHERE t.{q('key')} = %s ORDER BY m.{q('id')}"
    )
    created = Token._meta.get_field("created")
    converters = [[_converters(f) for f in model_fields] for model_fields in fields]
    return sql, fields, [*converters, [_converters(created)]]


def _converters(field) -> tuple:
    column = field.get_col(field.model._meta.db_table)
    return column, connection.ops.get_db_converters(column) + field.get_db_converters(connection)


def _converted(value, column, converters):
    """The value as the ORM would give it."""
    for convert in converters:
        value = convert(value, column, connection)
    return value


def _instance(model, fields, converters, values):
    """A model instance from its selected values, converted as the ORM converts them."""
    if values[0] is None:  # a LEFT JOIN that found nothing (fields start with the pk)
        return None
    converted = [
        _converted(value, *convert) for value, convert in zip(values, converters, strict=True)
    ]
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


def token_memberships(key: str, now) -> tuple[list[Membership], object, bool]:
    """The memberships of the token's user, each with its user (one object for all),
    organisation and authority; the token's creation; whether the account is locked out.
    No memberships (or no such token): `([], None, False)`."""
    sql, fields, converters = _token_query(connection.vendor)
    since = connection.ops.adapt_datetimefield_value(now - settings.AXES_COOLOFF_TIME)
    with connection.cursor() as cursor:
        cursor.execute(sql, [settings.AXES_FAILURE_LIMIT, since, key])
        rows = cursor.fetchall()
    if not rows:
        return [], None, False
    memberships, user = [], None
    for row in rows:
        objects, start = [], 0
        for model, model_fields, model_converters in zip(_PARTS, fields, converters, strict=False):
            end = start + len(model_fields)
            objects.append(_instance(model, model_fields, model_converters, row[start:end]))
            start = end
        membership, row_user, organization, authority = objects
        user = user or row_user
        membership.user = user
        membership.organization = organization
        membership.authority = authority
        memberships.append(membership)
    created = _converted(rows[0][start], *converters[-1][0])
    return memberships, created, bool(rows[0][start + 1])
