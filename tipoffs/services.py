"""Public tip-offs (Art. 6): no login, rate-limited per address, spam-guarded, triaged.
Recording one as an incident requires the operator to report it (`report_require`)."""

import hashlib
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Authority, Membership
from accounts.roles import roles_of
from core.exceptions import InvalidTransition
from notifications.models import Notification
from notifications.services import notify_users
from reports.services.recipients import members, national_officials
from review.services.requests import report_require

from .models import TipOff

TIPOFF_MIN_SECONDS = 3  # a person needs at least this long to fill the form
TIPOFF_MAX_AGE = 2 * 3600
TIPOFF_PER_HOUR = 5


class RateLimited(Exception):
    pass


FORM_USED = gettext_lazy("This form was already sent. Reload the page to send another tip-off.")


def _source_hash(address: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()


def tipoff_spam_errors(data: dict) -> dict:
    """Rules that need no third-party service: no links beyond one, no lists of phone
    numbers, some words."""
    text = f"{data.get('title', '')}\n{data.get('description', '')}"
    errors = {}
    if len(re.findall(r"(https?://|www\.)", text, flags=re.I)) > 1:
        errors["description"] = _("Please describe what happened without links.")
    elif len(re.findall(r"(?<!\d)1[3-9]\d{9}(?!\d)|\d{3,4}-\d{7,8}", text)) >= 3:
        errors["description"] = _("Please describe what happened, not a list of phone numbers.")
    elif not re.search(r"[\u4e00-\u9fff]{2,}|[A-Za-z]{3,}", data.get("description", "")):
        errors["description"] = _("Please describe what happened in words.")
    return errors


@transaction.atomic
def tipoff_submit(
    *,
    data: dict,
    address: str,
    rendered_at: float | None,
    form_token: str = "",
    now: datetime | None = None,
):
    """Returns the stored tip-off, or None when the honeypot caught a robot (it is told
    nothing). Raises RateLimited, or ValidationError for too fast, too old or spammy input."""
    now = now or timezone.now()
    if data.get("website"):
        return None  # honeypot: a hidden field people never fill
    age = None if rendered_at is None else now.timestamp() - rendered_at
    if age is None or age > TIPOFF_MAX_AGE:
        raise ValidationError({"__all__": _("The form has expired. Please reload the page.")})
    if age < TIPOFF_MIN_SECONDS:
        raise ValidationError({"__all__": _("That was quicker than a person can type.")})
    token_hash = hashlib.sha256(form_token.encode()).hexdigest() if form_token else None
    if token_hash and TipOff.objects.filter(form_token=token_hash).exists():
        raise ValidationError({"__all__": FORM_USED})
    source = _source_hash(address)
    recent = TipOff.objects.filter(
        source_hash=source, submitted_at__gte=now - timedelta(hours=1)
    ).count()
    if recent >= TIPOFF_PER_HOUR:
        raise RateLimited()
    errors = tipoff_spam_errors(data)
    if errors:
        raise ValidationError(errors)
    tipoff = TipOff(
        title=(data.get("title") or "").strip(),
        description=(data.get("description") or "").strip(),
        organization_name=(data.get("organization_name") or "").strip(),
        province_id=data.get("province") or None,
        contact=(data.get("contact") or "").strip(),
        submitted_at=now,
        source_hash=source,
        form_token=token_hash,
    )
    tipoff.full_clean(exclude=["form_token"])
    try:
        with transaction.atomic():
            tipoff.save()
    except IntegrityError:  # the same form sent twice at once: the first one counts
        raise ValidationError({"__all__": FORM_USED}) from None
    recipients = national_officials()
    if tipoff.province_id:
        recipients += members(
            role=Membership.Role.REVIEWER,
            authority__kind=Authority.Kind.PROVINCIAL_CAC,
            authority__province_id=tipoff.province_id,
        )
    notify_users(
        users=recipients,
        kind=Notification.Kind.TIPOFF_RECEIVED,
        report=None,
        message=_("New public tip-off: %(title)s") % {"title": tipoff.title},
        now=now,
    )
    return tipoff


def tipoff_queue(*, user):
    """Tip-offs the user triages: all for national officials, those naming their province
    for provincial CAC reviewers."""
    roles = roles_of(user)
    condition = Q(pk__in=[])
    if roles.is_national:
        condition |= Q(pk__isnull=False)
    for province_id in sorted(roles.tipoff_provinces):
        condition |= Q(province_id=province_id)
    return TipOff.objects.filter(condition).select_related("province", "report")


def tipoff_counts(*, user) -> dict:
    """How many tip-offs the user triages in each status: one query, grouped by status."""
    rows = (
        tipoff_queue(user=user)
        .select_related(None)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    return {row["status"]: row["n"] for row in rows}


def _tipoff_for_triage(user, pk):
    tipoff = tipoff_queue(user=user).select_for_update(of=("self",)).filter(pk=pk).first()
    if tipoff is None:
        raise Http404
    if tipoff.status != tipoff.Status.NEW:
        raise InvalidTransition(_("This tip-off has already been handled."))
    return tipoff


@transaction.atomic
def tipoff_record(*, user, pk, organization, title: str = "", now: datetime | None = None):
    """Turn a tip-off into a recorded incident: the operator is required to report it."""
    now = now or timezone.now()
    tipoff = _tipoff_for_triage(user, pk)
    report = report_require(
        user=user,
        organization=organization,
        title=title or tipoff.title,
        note=_("From a public tip-off: %(text)s") % {"text": tipoff.description},
        now=now,
    )
    tipoff.status = tipoff.Status.RECORDED
    tipoff.report = report
    tipoff.handled_by = user
    tipoff.handled_at = now
    tipoff.save()
    return tipoff


@transaction.atomic
def tipoff_dismiss(*, user, pk, reason: str, now: datetime | None = None):
    now = now or timezone.now()
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for dismissing it.")})
    tipoff = _tipoff_for_triage(user, pk)
    tipoff.status = tipoff.Status.DISMISSED
    tipoff.handling_note = reason.strip()
    tipoff.handled_by = user
    tipoff.handled_at = now
    tipoff.save()
    return tipoff
