from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.formats import local_minute
from core.refcache import ReferenceQuerySet

from .constants import Role
from .validators import validate_uscc


class BilingualName(models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        lang = get_language() or "zh-hans"
        return self.name_en if lang.startswith("en") and self.name_en else self.name


class Province(BilingualName):
    """GB/T 2260 provincial-level division (plus the XPCC, 660000)."""

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    kind = models.CharField(_("kind"), max_length=32)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class Sector(BilingualName):
    """A critical-information-infrastructure sector (the list in the CII regulations is open)."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("CII sector")
        verbose_name_plural = _("CII sectors")


class Department(BilingualName):
    """A central / state organ department whose directly affiliated units report to its
    cyber office (channel `central`)."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("central department")
        verbose_name_plural = _("central departments")


class Authority(BilingualName):
    class Kind(models.TextChoices):
        NATIONAL_CAC = "national_cac", _("National cyberspace administration")
        PROVINCIAL_CAC = "provincial_cac", _("Provincial cyberspace administration")
        PROTECTION_DEPARTMENT = "protection_department", _("CII protection department")
        DEPARTMENT_CYBER_OFFICE = "department_cyber_office", _("Departmental cyber office")
        PUBLIC_SECURITY = "public_security", _("Public security")
        REPORTING_SERVICE = "reporting_service", _("Reporting service (12387)")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), null=True, blank=True, on_delete=models.PROTECT
    )
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), null=True, blank=True, on_delete=models.PROTECT
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT
    )
    is_national = models.BooleanField(_("national tier"), default=False)
    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()  # routing keeps the authorities in memory

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "province"],
                condition=Q(is_national=False, kind__in=["provincial_cac", "public_security"]),
                name="one_provincial_authority_per_kind",
            ),
            models.UniqueConstraint(
                fields=["sector"],
                condition=Q(kind="protection_department"),
                name="one_protection_department_per_sector",
            ),
            models.UniqueConstraint(
                fields=["department"],
                condition=Q(kind="department_cyber_office"),
                name="one_cyber_office_per_department",
            ),
        ]


class SameLevelDepartment(BilingualName):
    """A department at the same level as a provincial CAC that it notifies when it reports a
    serious incident to the national CAC (Art. 4: "同时通报同级有关部门"). Configured per
    province by an admin; `authority` links the department's portal authority, where it has
    one: its staff are then told and can read the report (a copy)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="same_level_departments",
    )
    authority = models.ForeignKey(
        Authority,
        verbose_name=_("portal authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Its staff are told of the report and can read it (a copy)."),
    )
    active = models.BooleanField(
        _("notified at forwarding"),
        default=True,
        help_text=_(
            "Offered (pre-ticked) to the reviewer who forwards a serious report, and "
            "notified by the automatic forward."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["province", "code"]
        verbose_name = _("same-level department")
        verbose_name_plural = _("same-level departments")


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc]
    )
    province = models.ForeignKey(Province, verbose_name=_("province"), on_delete=models.PROTECT)
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), null=True, blank=True, on_delete=models.PROTECT
    )
    is_cii_operator = models.BooleanField(
        _("operates critical information infrastructure"), default=False
    )
    is_central_unit = models.BooleanField(
        _("central / state organ department or directly affiliated unit"), default=False
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("central department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("The department whose cyber office receives this unit's reports."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if self.is_central_unit and not self.department_id:
            errors["department"] = _("A central unit must name its department.")
        if self.is_cii_operator and not self.sector_id:
            errors["sector"] = _("A CII operator must name its sector.")
        if errors:
            raise ValidationError(errors)


class Membership(models.Model):
    Role = Role  # the one role vocabulary (accounts.constants)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    authority = models.ForeignKey(
        Authority,
        verbose_name=_("authority"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=["reporter", "provider_drafter"],
                        organization__isnull=False,
                        authority__isnull=True,
                    )
                    | (
                        Q(
                            role__in=[
                                "reviewer",
                                "police_liaison",
                                "national_official",
                                "intake_officer",
                            ]
                        )
                        & Q(organization__isnull=True, authority__isnull=False)
                    )
                ),
                name="membership_target_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organization", "authority"],
                name="unique_membership",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization or self.authority}"

    def clean(self):
        if self.role in (self.Role.REPORTER, self.Role.PROVIDER_DRAFTER):
            if not self.organization_id or self.authority_id:
                raise ValidationError(
                    {"organization": _("A reporter belongs to one organisation.")}
                )
        elif not self.authority_id or self.organization_id:
            raise ValidationError({"authority": _("Authority staff belong to one authority.")})


class AuthEvent(models.Model):
    """Audit trail of authentication: every login, failure, lockout, logout and second-factor
    event, with the address it came from."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Login failed")
        LOCKED_OUT = "locked_out", _("Locked out")
        LOGOUT = "logout", _("Logged out")
        OTP_CONFIRMED = "otp_confirmed", _("Two-factor device confirmed")
        OTP_VERIFIED = "otp_verified", _("Second factor verified")
        OTP_FAILED = "otp_failed", _("Second factor failed")
        TOKEN_ISSUED = "token_issued", _("API token issued")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("authentication event")
        verbose_name_plural = _("authentication events")

    def __str__(self) -> str:
        return f"{self.username} {self.get_kind_display()} {local_minute(self.at)}"
