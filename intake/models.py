"""The inbox of the 12387 service: e-mail and fax messages (a fax arrives as e-mail from the
fax gateway), each kept with its raw bytes until triaged."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.models import Report
from reports.models.evidence import evidence_storage


class InboxItem(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("To triage")
        ADDED = "added", _("Added to a report")
        REPORTED = "reported", _("Turned into a report")
        DISMISSED = "dismissed", _("Dismissed")

    class Route(models.TextChoices):
        EMAIL = "email", _("E-mail")
        FAX = "fax", _("Fax")

    key = models.CharField(
        _("message key"),
        max_length=300,
        unique=True,
        help_text=_("The Message-ID, or a hash of the raw message when it has none."),
    )
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True)
    route = models.CharField(_("route"), max_length=8, choices=Route.choices)
    sender = models.CharField(_("sender address"), max_length=254, blank=True)
    sender_name = models.CharField(_("sender name"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    body = models.TextField(_("text"), blank=True)
    sent_at = models.DateTimeField(_("sent at (Date header)"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    raw = models.BinaryField(_("raw message"))
    parse_error = models.TextField(
        _("why it could not be read"),
        blank=True,
        help_text=_("Set when the message could not be parsed: it is kept raw."),
    )
    refused_attachments = models.JSONField(
        _("attachments refused"),
        default=list,
        blank=True,
        help_text=_("Name and reason of each attachment the evidence checks refused."),
    )
    quoted_reference = models.CharField(_("reference quoted"), max_length=32, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    report = models.ForeignKey(
        Report,
        verbose_name=_("report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbox_items",
    )
    automatic = models.BooleanField(
        _("added by the portal itself"),
        default=False,
        help_text=_("Quoted a report's reference from the address of its organisation."),
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
    dismissed_reason = models.TextField(_("reason for dismissing"), blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("inbox item")
        verbose_name_plural = _("inbox items")
        indexes = [models.Index(fields=["status", "-received_at"], name="inbox_status_received")]

    def __str__(self) -> str:
        return self.subject or self.key


def inbox_path(instance, filename):
    return f"inbox/{instance.item_id}/{instance.sha256[:2]}/{instance.sha256}"


class InboxAttachment(models.Model):
    """An attachment that passed the evidence checks (refused ones are listed on the item)."""

    item = models.ForeignKey(
        InboxItem, verbose_name=_("inbox item"), on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("file"), storage=evidence_storage, upload_to=inbox_path)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("inbox attachment")
        verbose_name_plural = _("inbox attachments")

    def __str__(self) -> str:
        return self.name
