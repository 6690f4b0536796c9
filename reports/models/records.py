"""What happens to a report after submission, each row written by one service: its
forwarding to the national tier, requests for information, follow-ups (补报 / 续报) and
the summary report (总结报告)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Authority, SameLevelDepartment
from core.fields import TEXT_MAX, BoundedTextField
from core.formats import local_minute

from ..constants import Severity
from .report import Report, SupplementItems


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
    # Art. 4, general channel: the provincial CAC "同时通报同级有关部门" — the departments
    # notified, or the reason none was
    same_level_departments = models.ManyToManyField(
        SameLevelDepartment,
        verbose_name=_("same-level departments notified"),
        blank=True,
        related_name="forwardings",
    )
    same_level_reason = BoundedTextField(
        _("why no same-level department was notified"), blank=True, max_length=TEXT_MAX
    )
    history = HistoricalRecords()  # the departments are written once, with the row

    class Meta:
        verbose_name = _("forwarding")
        verbose_name_plural = _("forwardings")
        indexes = [models.Index(fields=["at"], name="forwarding_at")]

    def __str__(self) -> str:
        return f"{self.report} → {_('national level')} ({local_minute(self.at)})"


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


class FollowUp(SupplementItems):
    """补报 (supplement: Art. 7 items 3–8 that could not be given at first) or 续报 (progress)."""

    class Kind(models.TextChoices):
        SUPPLEMENT = "supplement", _("Supplementary report (补报)")
        PROGRESS = "progress", _("Progress report (续报)")

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="followups"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    body = BoundedTextField(_("what is new"), max_length=TEXT_MAX)
    # Art. 11, added after submission: the emergency plan executed, the protective measures,
    # and the harm they reduced
    emergency_plan = BoundedTextField(_("emergency plan followed"), blank=True, max_length=TEXT_MAX)
    protective_measures = BoundedTextField(
        _("protective measures in place"), blank=True, max_length=TEXT_MAX
    )
    harm_reduced = BoundedTextField(
        _("harm the plan and measures reduced"), blank=True, max_length=TEXT_MAX
    )
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
        return f"{self.report} {self.get_kind_display()} {local_minute(self.created_at)}"


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
        return f"{self.report} {_('summary report')}"


class Finding(models.Model):
    """Art. 10: an authority's finding that the operator reported late (迟报), missed a
    report (漏报), reported falsely (谎报) or concealed (瞒报), with its reason."""

    class Kind(models.TextChoices):
        LATE = "late", _("Late report (迟报)")
        MISSED = "missed", _("Missed report (漏报)")
        FALSE = "false", _("False report (谎报)")
        CONCEALED = "concealed", _("Concealed incident (瞒报)")

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="findings"
    )
    kind = models.CharField(_("finding"), max_length=12, choices=Kind.choices)
    reason = BoundedTextField(_("reason"), max_length=TEXT_MAX)
    authority = models.ForeignKey(
        Authority, verbose_name=_("authority"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    # its line on the timeline: the API reads findings with the timeline (no extra query)
    event = models.OneToOneField(
        "reports.ReportEvent",
        verbose_name=_("timeline event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="finding",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        indexes = [models.Index(fields=["report", "kind"], name="finding_report_kind")]

    def __str__(self) -> str:
        return f"{self.report} {self.get_kind_display()}"
