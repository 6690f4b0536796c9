from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """In-app notification (the bell); e-mail goes out alongside it."""

    class Kind(models.TextChoices):
        REPORT_RECEIVED = "report_received", _("New report received")
        INFO_REQUESTED = "info_requested", _("Information requested")
        INFO_SUPPLIED = "info_supplied", _("Information supplied")
        FOLLOWUP_FILED = "followup_filed", _("Follow-up filed (补报/续报)")
        SUMMARY_FILED = "summary_filed", _("Summary report filed")
        TIPOFF_RECEIVED = "tipoff_received", _("New public tip-off")
        GRADE_CHANGED = "grade_changed", _("Level changed")
        FORWARDED = "forwarded", _("Forwarded to the national tier")
        SUMMARY_DUE = "summary_due", _("Summary report required")
        REMINDER = "reminder", _("Deadline reminder")
        REPORT_REQUIRED = "report_required", _("An authority requires a report")
        REPORT_RECORDED = "report_recorded", _("A report was recorded for your organisation")
        INBOX_MESSAGE = "inbox_message", _("A message was added to a report")
        DRAFTED_BY_PROVIDER = "drafted_by_provider", _("A service provider drafted a report")
        FINDING_RECORDED = "finding_recorded", _("A finding on your reporting")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    report = models.ForeignKey(
        "reports.Report",
        verbose_name=_("report"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        db_table = "escalation_notification"  # its name from when escalation held it
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                name="notification_unread",
                condition=Q(read_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()}"
