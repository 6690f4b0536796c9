"""The portal's one role vocabulary (no ORM here: the pure workflow module reads it too)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REPORTER = "reporter", _("Operator reporter")
    PROVIDER_DRAFTER = "provider_drafter", _("Service-provider drafter")
    REVIEWER = "reviewer", _("Receiving reviewer")
    POLICE_LIAISON = "police_liaison", _("Public-security liaison")
    NATIONAL_OFFICIAL = "national_official", _("National official")
    INTAKE_OFFICER = "intake_officer", _("Intake officer (12387 reporting service)")


# Who drafts an operator's reports (Art. 5: a contracted provider may draft, not submit).
DRAFTING_ROLES = frozenset({Role.REPORTER, Role.PROVIDER_DRAFTER})
# Staff of an authority: they must use two-factor login.
AUTHORITY_ROLES = frozenset(
    {Role.REVIEWER, Role.POLICE_LIAISON, Role.NATIONAL_OFFICIAL, Role.INTAKE_OFFICER}
)
# Staff who act on reports (claim, grade, require…); a police liaison only reads copies.
ACTING_STAFF_ROLES = frozenset({Role.REVIEWER, Role.NATIONAL_OFFICIAL})
