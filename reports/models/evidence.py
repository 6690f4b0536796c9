"""Evidence attachments, stored outside the web roots."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.formats import file_size

from .records import FollowUp
from .report import Report


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


# What each allowed content type is, in words (the evidence list shows these, not MIME types).
EVIDENCE_TYPE_LABELS = {
    "application/pdf": _("PDF document"),
    "image/png": _("PNG image"),
    "image/jpeg": _("JPEG image"),
    "application/zip": _("ZIP archive or Office document"),
    "application/vnd.tcpdump.pcap": _("Packet capture (pcap)"),
    "text/plain": _("Text file"),
}


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

    @property
    def type_label(self) -> str:
        return str(EVIDENCE_TYPE_LABELS.get(self.content_type, self.content_type))

    @property
    def size_label(self) -> str:
        return file_size(self.size)
