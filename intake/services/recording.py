"""Recording a report received by telephone, e-mail, fax or WeChat: the organisation by its
unified social credit code (created when unknown), then `reports.services.receipt`."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import roles_of
from accounts.services import organization_for_code
from core.exceptions import ActionForbidden
from reports.models import Report
from reports.services.receipt import report_record


def check_intake_officer(user) -> None:
    if not roles_of(user).is_intake_officer:
        raise ActionForbidden(_("Only the 12387 service's intake officers can do this."))


@transaction.atomic
def intake_report_record(
    *,
    user,
    organization_code: str,
    data: dict,
    via: str,
    caller_name: str,
    caller_contact: str,
    received_at: datetime | None = None,
    organization_name: str = "",
    organization_province=None,
    organization_sector=None,
    note: str = "",
    now: datetime | None = None,
) -> Report:
    """One transaction: an unknown organisation is created only if the report is recorded
    too (a refusal stores nothing)."""
    now = now or timezone.now()
    check_intake_officer(user)
    organization, _created = organization_for_code(
        code=organization_code,
        name=organization_name,
        province=organization_province,
        sector=organization_sector,
    )
    return report_record(
        user=user,
        organization=organization,
        data=data,
        via=via,
        caller_name=caller_name,
        caller_contact=caller_contact,
        received_at=received_at,
        note=note,
        now=now,
    )
