"""Reference data of the reports: incident categories and the grading guide's criteria."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.refcache import ReferenceQuerySet

from ..constants import Severity
from ..indicators import criterion_text


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
    objects = ReferenceQuerySet.as_manager()

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
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "level"]
        verbose_name = _("grading criterion")
        verbose_name_plural = _("grading criteria")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "level"], name="one_criterion_per_level")
        ]

    def __str__(self) -> str:
        return criterion_text(
            {
                "indicator": self.indicator,
                "level": self.level,
                "threshold": self.threshold,
                "unit": self.unit,
            }
        )
