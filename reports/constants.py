"""Enumerations shared by the pure modules and the models (no ORM imports here)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    GENERAL = "general", _("General (一般)")
    SIGNIFICANT = "significant", _("Significant (较大)")
    MAJOR = "major", _("Major (重大)")
    ESPECIALLY_MAJOR = "especially_major", _("Especially major (特别重大)")


SEVERITY_RANK = {
    Severity.GENERAL: 0,
    Severity.SIGNIFICANT: 1,
    Severity.MAJOR: 2,
    Severity.ESPECIALLY_MAJOR: 3,
}
SERIOUS = frozenset({Severity.MAJOR, Severity.ESPECIALLY_MAJOR})
REPORTABLE = frozenset({Severity.SIGNIFICANT, Severity.MAJOR, Severity.ESPECIALLY_MAJOR})


def max_severity(*levels: str | None) -> str:
    present = [lv for lv in levels if lv]
    if not present:
        return Severity.GENERAL
    return max(present, key=lambda lv: SEVERITY_RANK[Severity(lv)])


class Channel(models.TextChoices):
    CII = "cii", _("Critical information infrastructure")
    CENTRAL = "central", _("Central / state unit")
    GENERAL = "general", _("General (provincial CAC)")


# Statutory limits (Art. 4 of the measures). Policies may be stricter, never looser.
FILE_LIMITS = {
    Channel.CII: timedelta(hours=1),
    Channel.CENTRAL: timedelta(hours=2),
    Channel.GENERAL: timedelta(hours=4),
}
FORWARD_LIMITS = {
    Channel.CII: timedelta(minutes=30),
    Channel.CENTRAL: timedelta(hours=1),
    Channel.GENERAL: timedelta(hours=1),
}
SUMMARY_LIMIT = timedelta(days=30)


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    AWAITING_OPERATOR = "awaiting_operator", _("Awaiting operator")
    CLOSED = "closed", _("Closed")


class Tier(models.TextChoices):
    RECEIVING = "receiving", _("Receiving authority")
    NATIONAL = "national", _("National tier")


class ReceivedVia(models.TextChoices):
    """The route a report reached the portal by (MEASURES.md §7: the 12387 service's six
    routes, and the portal's own pages and API)."""

    WEB = "web", _("Web form")
    API = "api", _("API")
    HOTLINE = "hotline", _("12387 hotline")
    EMAIL = "email", _("E-mail")
    FAX = "fax", _("Fax")
    WECHAT = "wechat", _("WeChat")


# Routes on which the receiving service's staff record the report for the operator.
STAFF_ROUTES = frozenset(
    {ReceivedVia.HOTLINE, ReceivedVia.EMAIL, ReceivedVia.FAX, ReceivedVia.WECHAT}
)

RANSOMWARE_CATEGORY = "0107"

# The measures count in Beijing time, whatever the display setting.
BEIJING = ZoneInfo("Asia/Shanghai")


def reference_year(at: datetime) -> int:
    """The year of a report's reference: the year of the Beijing date of its creation."""
    return at.astimezone(BEIJING).year


# Art. 13: the one wording of the refusal, on the web page's guard and in the API's 400.
STATE_SECRETS_REFUSAL = _(
    "Incidents involving state secrets are reported under the state secrets rules (Article 13 "
    "of the measures), through the designated confidential channel, not through this portal."
)
