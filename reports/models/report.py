"""The incident report, its timeline events and the idempotency keys of its creation."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Authority, Organization, Sector
from accounts.roles import roles_of
from core.changes import TracksChanges
from core.fields import TEXT_MAX, BoundedTextField
from core.formats import local_minute

from ..constants import (
    RANSOMWARE_CATEGORY,
    SERIOUS,
    Channel,
    ReceivedVia,
    Severity,
    Status,
    Tier,
)
from .reference import Category

INLINE_IDS = 2000


def pk_in_short_list(report_ids) -> Q:
    """`pk IN (…)` for a query of report ids. A short list goes into the query as literal
    ids, so that PostgreSQL can combine it with other conditions through indexes (an
    `IN (subquery)` inside an OR forces a scan of every report); a long one stays a
    subquery."""
    ids = list(report_ids[: INLINE_IDS + 1])
    return Q(pk__in=ids) if len(ids) <= INLINE_IDS else Q(pk__in=report_ids)


def _copied_to(authority_id) -> Q:
    copies = Report.copied_to.through.objects.filter(authority_id=authority_id).order_by()
    return pk_in_short_list(copies.values_list("report_id", flat=True))


def _required_by(authority_id) -> Q:
    """Reports an authority required (drafts included): as a short list, an authority that
    required none gets a plain, index-ordered condition."""
    required = Report.objects.filter(requested_by_id=authority_id).order_by()
    return pk_in_short_list(required.values_list("pk", flat=True))


def visibility(user) -> Q | None:
    """The reports `user` sees, as a condition on reports (None: none at all). The rule
    behind `ReportQuerySet.visible_to`, which is how the portal applies it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    live = Q(discarded_at__isnull=True)  # a discarded draft is gone for all
    if user.is_superuser:
        return live
    roles = roles_of(user)
    if not roles.memberships:
        return None
    condition = Q(pk__in=[])
    for organization_id in sorted(roles.reporter_of):
        condition |= Q(organization_id=organization_id)
    for organization_id in sorted(roles.drafter_of):  # the drafts it wrote (Art. 5)
        condition |= Q(organization_id=organization_id, created_by_id=user.pk)
    for authority_id in sorted(roles.national_at):
        condition |= (
            Q(tier=Tier.NATIONAL)
            | (Q(tier=Tier.RECEIVING) & Q(severity__in=list(SERIOUS)) & ~Q(status=Status.DRAFT))
            # the guide rates it serious, a reviewer graded it below: a second look
            | (
                Q(tier=Tier.RECEIVING)
                & Q(severity_suggested__in=list(SERIOUS))
                & ~Q(status=Status.DRAFT)
            )
            | Q(requested_by_id=authority_id)
        )
    for authority_id in sorted(roles.intake_at):  # what its staff recorded
        condition |= Q(received_by_id=authority_id)
    for authority_id in sorted(roles.reviewer_at | roles.police_at):
        # routed or copied to the authority, and what it required
        condition |= (
            (Q(receiving_authority_id=authority_id) | _copied_to(authority_id))
            & ~Q(status=Status.DRAFT)
        ) | _required_by(authority_id)
    return live & condition


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReportQuerySet":
        """The one visibility primitive (docs/ARCHITECTURE.md, Actors): every view, API
        endpoint, export and dashboard query starts here. It asks the user's roles."""
        condition = visibility(user)
        return self.none() if condition is None else self.filter(condition)


class SupplementItems(models.Model):
    """Art. 7 items 3–8 (docs/RULES.md §3), which may follow in a supplementary report:
    on the report, and on each follow-up that brings new content for them."""

    trend = BoundedTextField(
        _("trend and possible further impact"), blank=True, max_length=TEXT_MAX
    )
    cause = BoundedTextField(
        _("preliminary analysis of the cause"), blank=True, max_length=TEXT_MAX
    )
    attack_clues = BoundedTextField(
        _("leads: possible attacker, attack path, vulnerabilities"), blank=True, max_length=TEXT_MAX
    )
    planned_measures = BoundedTextField(
        _("further measures planned"), blank=True, max_length=TEXT_MAX
    )
    support_requested = BoundedTextField(_("support requested"), blank=True, max_length=TEXT_MAX)
    scene_preservation = BoundedTextField(
        _("preservation of the incident scene"), blank=True, max_length=TEXT_MAX
    )
    other = BoundedTextField(_("anything else to report"), blank=True, max_length=TEXT_MAX)

    class Meta:
        abstract = True


class Report(TracksChanges, SupplementItems):
    reference = models.CharField(_("reference"), max_length=32, unique=True, null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices, default=Tier.RECEIVING)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    involves_cii = models.BooleanField(
        _("involves critical information infrastructure"), default=False
    )
    cii_untick_reason = BoundedTextField(
        _("why the incident does not involve CII"), blank=True, max_length=TEXT_MAX
    )
    cii_sector = models.ForeignKey(
        Sector,
        verbose_name=_("CII sector involved"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "For an organisation with no CII sector on record: the sector of the critical "
            "information infrastructure the incident involves."
        ),
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    receiving_authority = models.ForeignKey(
        Authority,
        verbose_name=_("receiving authority"),
        on_delete=models.PROTECT,
        related_name="received_reports",
    )
    copied_to = models.ManyToManyField(
        Authority, verbose_name=_("copied to"), blank=True, related_name="copied_reports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Item 1: unit involved, basic facts of the system or facility
    title = models.CharField(_("title"), max_length=200, blank=True)
    affected_systems = BoundedTextField(
        _("system or facility involved (basic facts)"), blank=True, max_length=TEXT_MAX
    )
    # Item 2
    discovered_at = models.DateTimeField(_("discovered at"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    location = models.CharField(_("place"), max_length=500, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"children__isnull": True},
    )
    indicators = models.JSONField(_("grading indicators"), default=dict, blank=True)
    severity_declared = models.CharField(
        _("declared level"), max_length=20, choices=Severity.choices, blank=True
    )
    severity_suggested = models.CharField(
        _("suggested level"), max_length=20, choices=Severity.choices, default=Severity.GENERAL
    )
    criteria_met = models.JSONField(_("criteria met"), default=list, blank=True)
    severity_reviewed = models.CharField(
        _("reviewer's level"), max_length=20, choices=Severity.choices, blank=True
    )
    severity = models.CharField(
        _("level"),
        max_length=20,
        choices=Severity.choices,
        default=Severity.GENERAL,
        help_text=_(
            "The level used for clocks: the reviewer's grade once given, before that the higher "
            "of the declared and the suggested level."
        ),
    )
    impact_description = BoundedTextField(
        _("impact and harm so far"), blank=True, max_length=TEXT_MAX
    )
    measures_taken = BoundedTextField(
        _("measures taken and their effect"), blank=True, max_length=TEXT_MAX
    )
    ransom_amount = models.DecimalField(
        _("ransom demanded"),
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10**15)],
    )
    ransom_currency = models.CharField(_("ransom currency"), max_length=16, blank=True)
    ransom_payment_method = models.CharField(_("ransom payment method"), max_length=200, blank=True)
    ransom_demanded_at = models.DateTimeField(_("ransom demanded at"), null=True, blank=True)
    # Items 3–8 (may follow as 补报): the text items come from SupplementItems
    suspected_crime = models.BooleanField(_("a crime is suspected"), default=False)
    # Art. 11: mitigating circumstances
    emergency_plan = BoundedTextField(_("emergency plan followed"), blank=True, max_length=TEXT_MAX)
    protective_measures = BoundedTextField(
        _("protective measures in place"), blank=True, max_length=TEXT_MAX
    )
    harm_reduced = BoundedTextField(
        _("harm the plan and measures reduced"), blank=True, max_length=TEXT_MAX
    )
    late_reason = BoundedTextField(_("reason for late submission"), blank=True, max_length=TEXT_MAX)

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_reports",
    )
    grade_reason = models.TextField(_("reason for the reviewer's level"), blank=True)
    requested_by = models.ForeignKey(
        Authority,
        verbose_name=_("required by authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="required_reports",
        help_text=_("An authority learned of the incident elsewhere and required this report."),
    )
    requested_at = models.DateTimeField(_("required at"), null=True, blank=True)
    missed_at = models.DateTimeField(
        _("recorded as a missed report (漏报) at"), null=True, blank=True
    )
    closed_reason = models.TextField(_("reason for closing"), blank=True)
    # A discarded draft leaves every list and page (Report.objects.visible_to), but its row,
    # timeline and history stay (docs/DECISIONS.md).
    discarded_at = models.DateTimeField(_("draft discarded at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # The SHA-256 of the content as submitted (reports.digest), shown on the receipt (回执).
    submitted_sha256 = models.CharField(
        _("SHA-256 of the submitted content"), max_length=64, blank=True
    )
    # The route and the instant of receipt (MEASURES.md §7): the portal's own pages and API,
    # or a report the 12387 service's staff recorded (hotline, e-mail, fax, WeChat). The
    # filing clock is judged on `received_at`, which for a report filed in the portal is
    # its submission.
    received_via = models.CharField(
        _("received via"), max_length=10, choices=ReceivedVia.choices, default=ReceivedVia.WEB
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        Authority,
        verbose_name=_("recorded by the service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recorded_reports",
        help_text=_(
            "The reporting service whose staff recorded a report received by telephone, "
            "fax, e-mail or WeChat."
        ),
    )
    caller_name = models.CharField(_("caller's or sender's name"), max_length=200, blank=True)
    caller_contact = models.CharField(_("caller's or sender's contact"), max_length=200, blank=True)
    handling_ended_at = models.DateTimeField(_("handling ended at"), null=True, blank=True)
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    next_due_at = models.DateTimeField(
        _("next clock runs out at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The earliest due time of the report's open clocks (kept by the clocks)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "next_due_at"])
    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("incident report")
        verbose_name_plural = _("incident reports")
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="report_org_created"),
            models.Index(fields=["receiving_authority", "status"], name="report_authority_status"),
            models.Index(fields=["tier", "status", "severity"], name="report_tier_status_sev"),
            models.Index(fields=["submitted_at"], name="report_submitted_at"),
            # the queues, in their full sort order (the clock that runs out first, then the
            # newest), so that a page can be read straight off the index
            models.Index(
                fields=["receiving_authority", "next_due_at", "-submitted_at", "-id"],
                name="report_queue_receiving",
            ),
            models.Index(
                fields=["tier", "status", "next_due_at", "-submitted_at", "-id"],
                name="report_queue_tier",
            ),
            models.Index(
                fields=["receiving_authority", "status", "-submitted_at", "-id"],
                name="report_queue_closed",
            ),
            models.Index(
                fields=["tier", "status", "-submitted_at", "-id"],
                name="report_queue_tier_closed",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="submitted_report_has_submitted_at",
            ),
            models.CheckConstraint(
                condition=Q(occurred_at__isnull=True)
                | Q(discovered_at__isnull=True)
                | Q(occurred_at__lte=models.F("discovered_at")),
                name="occurred_not_after_discovered",
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True)
                | Q(discovered_at__isnull=True)
                | Q(discovered_at__lte=models.F("submitted_at")),
                name="discovered_not_after_submitted",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"

    @property
    def is_serious(self) -> bool:
        return self.severity in SERIOUS

    @property
    def is_ransomware(self) -> bool:
        return self.category_id == RANSOMWARE_CATEGORY


class ReportEvent(models.Model):
    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        SUBMITTED = "submitted", _("Submitted")
        CLAIMED = "claimed", _("Claimed")
        ASSIGNED = "assigned", _("Assigned")
        GRADED = "graded", _("Graded")
        INFO_REQUESTED = "info_requested", _("Information requested")
        INFO_SUPPLIED = "info_supplied", _("Information supplied")
        FOLLOWUP = "followup", _("Follow-up")
        FORWARDED = "forwarded", _("Forwarded")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        NOTIFIED = "notified", _("Departments notified")
        REMINDED = "reminded", _("Reminder sent")
        HANDLING_ENDED = "handling_ended", _("Handling ended")
        SUMMARY_FILED = "summary_filed", _("Summary report filed")
        DEADLINE_BREACHED = "deadline_breached", _("Deadline breached")
        CLOSED = "closed", _("Closed")
        ATTACHMENT_ADDED = "attachment_added", _("Evidence attached")
        DISCARDED = "discarded", _("Draft discarded")
        MESSAGE_ADDED = "message_added", _("E-mail or fax added")
        DISCOVERY_CHANGED = "discovery_changed", _("Time of discovery changed")
        FINDING_RECORDED = "finding_recorded", _("Finding recorded (迟报 / 漏报 / 谎报 / 瞒报)")

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    automatic = models.BooleanField(_("automatic"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        indexes = [models.Index(fields=["report", "at"], name="event_report_at")]

    def __str__(self) -> str:
        return f"{self.report} {self.get_kind_display()} {local_minute(self.at)}"


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` seen on `POST /api/v1/reports/`: a retried create returns the
    report the first request made."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    # SHA-256 of the first request's data: a retry with other data is refused (422); empty
    # for keys recorded before it was kept.
    fingerprint = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="unique_idempotency_key")
        ]

    def __str__(self) -> str:
        return self.key
