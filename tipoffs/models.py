from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import BoundedTextField


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
    # SHA-256 of the signed form token it was sent with: each form shown sends one tip-off.
    form_token = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
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
        "reports.Report",
        verbose_name=_("recorded as"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The table keeps the name it had when the model lived in `reports`.
    history = HistoricalRecords(table_name="reports_historicaltipoff")

    class Meta:
        db_table = "reports_tipoff"
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("public tip-off")
        verbose_name_plural = _("public tip-offs")

    def __str__(self) -> str:
        return self.title

    @property
    def receipt(self) -> str:
        """The number the tipster is given to quote (举报编号): JB-<year>-<id>."""
        return receipt_number(timezone.localtime(self.submitted_at).year, self.pk)


def receipt_number(year: int, pk: int) -> str:
    return f"JB-{year}-{pk:06d}"
