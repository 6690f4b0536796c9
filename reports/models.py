import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Authority, Organization

from .constants import SERIOUS, Channel, Severity, Status, Tier

TEXT_MAX = 20_000  # "oversized text" is refused beyond this


class BoundedTextField(models.TextField):
    """A TextField whose `max_length` is enforced in validation (Django only passes it to
    the form widget), so every writer — form, API, admin, service — refuses oversized text."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(MaxLengthValidator(self.max_length))


class Category(models.Model):
    """GB/T 20986-2023 incident class (2-digit code) or sub-class (4-digit code)."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("incident category")
        verbose_name_plural = _("incident categories")

    def __str__(self) -> str:
        lang = get_language() or "zh-hans"
        return f"{self.code} {self.name_en if lang.startswith('en') else self.name}"


class GradingCriterion(models.Model):
    """One row of the grading guide: an indicator reaching `threshold` makes an incident at
    least `level`. Inclusive (≥). Admin-editable, with history."""

    indicator = models.CharField(_("indicator"), max_length=64)
    level = models.CharField(_("level"), max_length=20, choices=Severity.choices)
    threshold = models.CharField(_("threshold"), max_length=32)
    unit = models.CharField(_("unit"), max_length=16)
    scope = models.CharField(_("scope"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "level"]
        verbose_name = _("grading criterion")
        verbose_name_plural = _("grading criteria")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "level"], name="one_criterion_per_level")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} ≥ {self.threshold} → {self.level}"


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


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReportQuerySet":
        """The one visibility primitive (ARCHITECTURE.md, Actors): every view, API endpoint,
        export and dashboard query starts here."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        memberships = list(user.memberships.all())
        if not memberships:
            return self.none()
        condition = Q(pk__in=[])
        for m in memberships:
            if m.role == "reporter":
                condition |= Q(organization_id=m.organization_id)
            elif m.role == "provider_drafter":  # the drafts it wrote for that organisation
                condition |= Q(organization_id=m.organization_id, created_by_id=user.pk)
            elif m.role == "national_official":
                condition |= (
                    Q(tier=Tier.NATIONAL)
                    | (
                        Q(tier=Tier.RECEIVING)
                        & Q(severity__in=list(SERIOUS))
                        & ~Q(status=Status.DRAFT)
                    )
                    | Q(requested_by_id=m.authority_id)
                )
            else:  # reviewer, police liaison: routed or copied to the authority
                condition |= (
                    (Q(receiving_authority_id=m.authority_id) | _copied_to(m.authority_id))
                    & ~Q(status=Status.DRAFT)
                ) | _required_by(m.authority_id)
        return self.filter(condition)


class Report(models.Model):
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
    # Items 3–8 (may follow as 补报)
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
    suspected_crime = models.BooleanField(_("a crime is suspected"), default=False)
    # Art. 11: mitigating circumstances
    emergency_plan = BoundedTextField(_("emergency plan followed"), blank=True, max_length=TEXT_MAX)
    protective_measures = BoundedTextField(
        _("protective measures in place"), blank=True, max_length=TEXT_MAX
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
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
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
        from .constants import RANSOMWARE_CATEGORY

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
        return f"{self.report} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` seen on `POST /api/v1/reports/`: a retried create returns the
    report the first request made."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="unique_idempotency_key")
        ]

    def __str__(self) -> str:
        return self.key


class Forwarding(models.Model):
    """The report reaching the national tier: at most once, manual or automatic."""

    report = models.OneToOneField(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="forwarding"
    )
    at = models.DateTimeField(_("forwarded at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("forwarded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    automatic = models.BooleanField(_("automatic"), default=False)
    from_authority = models.ForeignKey(
        Authority, verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("forwarding")
        verbose_name_plural = _("forwardings")
        indexes = [models.Index(fields=["at"], name="forwarding_at")]

    def __str__(self) -> str:
        return f"{self.report} → national ({self.at:%Y-%m-%d %H:%M})"


class InfoRequest(models.Model):
    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="info_requests"
    )
    authority = models.ForeignKey(
        Authority, verbose_name=_("authority"), on_delete=models.PROTECT, related_name="+"
    )
    question = BoundedTextField(_("question"), max_length=TEXT_MAX)
    due_at = models.DateTimeField(_("answer due by"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("request for information")
        verbose_name_plural = _("requests for information")

    def __str__(self) -> str:
        return f"{self.report}: {self.question[:40]}"


class FollowUp(models.Model):
    """补报 (supplement: Art. 7 items 3–8 that could not be given at first) or 续报 (progress)."""

    class Kind(models.TextChoices):
        SUPPLEMENT = "supplement", _("Supplementary report (补报)")
        PROGRESS = "progress", _("Progress report (续报)")

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="followups"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    body = BoundedTextField(_("what is new"), max_length=TEXT_MAX)
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
    indicators = models.JSONField(_("grading indicators"), null=True, blank=True)
    severity_declared = models.CharField(
        _("declared level"), max_length=20, choices=Severity.choices, blank=True
    )
    answers = models.ForeignKey(
        InfoRequest,
        verbose_name=_("answers the request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("filed at"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("follow-up report")
        verbose_name_plural = _("follow-up reports")

    def __str__(self) -> str:
        return f"{self.report} {self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class SummaryReport(models.Model):
    """总结报告 (Art. 8): within 30 days after handling ends, through the original channel."""

    report = models.OneToOneField(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="summary"
    )
    cause = BoundedTextField(_("cause"), max_length=TEXT_MAX)
    emergency_measures = BoundedTextField(_("emergency measures taken"), max_length=TEXT_MAX)
    harm = BoundedTextField(_("harm caused"), max_length=TEXT_MAX)
    accountability = BoundedTextField(_("accountability"), max_length=TEXT_MAX)
    rectification = BoundedTextField(_("rectification"), max_length=TEXT_MAX)
    lessons = BoundedTextField(_("lessons learned"), max_length=TEXT_MAX)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("filed at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("summary report")
        verbose_name_plural = _("summary reports")

    def __str__(self) -> str:
        return f"{self.report} summary"


class EvidenceStorage(FileSystemStorage):
    """Evidence lives under EVIDENCE_ROOT, outside the static and media web roots; only a
    view that applies the report's visibility serves it. The root is read from settings at
    use, not at import."""

    @property
    def base_location(self):
        return str(settings.EVIDENCE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def evidence_storage():
    return EvidenceStorage()


def evidence_path(instance, filename):
    return f"{instance.report_id}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="attachments"
    )
    followup = models.ForeignKey(
        FollowUp,
        verbose_name=_("follow-up"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), storage=evidence_storage, upload_to=evidence_path)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("evidence attachment")
        verbose_name_plural = _("evidence attachments")

    def __str__(self) -> str:
        return self.name


class TipOff(models.Model):
    """A public tip-off (Art. 6): no login, rate-limited, triaged at the national CAC and the
    provincial CAC of the province named."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        RECORDED = "recorded", _("Recorded as an incident")
        DISMISSED = "dismissed", _("Dismissed")

    title = models.CharField(_("what happened, in a few words"), max_length=200)
    description = BoundedTextField(_("description"), max_length=5000)
    organization_name = models.CharField(_("organisation involved"), max_length=200, blank=True)
    province = models.ForeignKey(
        "accounts.Province",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    contact = models.CharField(_("how to reach you (optional)"), max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    source_hash = models.CharField(_("source (hashed address)"), max_length=64, db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handling_note = models.TextField(_("note"), blank=True)
    report = models.ForeignKey(
        Report,
        verbose_name=_("recorded as"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("public tip-off")
        verbose_name_plural = _("public tip-offs")

    def __str__(self) -> str:
        return self.title
