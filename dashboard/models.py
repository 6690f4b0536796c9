"""The dashboard's materialised summary: one slim row per submitted report with only what the
figures group and filter on, kept current by `dashboard.summary.summary_refresh`.

Why: the figures aggregate over every report in a period (a year is a million rows). The
report table is wide (free text, JSON) and its clocks and forwarding live in other tables;
scanning and joining them per request cannot answer in the 300 ms the issue asks. This
table is about a tenth of the report table's width, carries the clock outcomes already
joined, and has its own indexes. It is derived data only: `manage.py dashboard_refresh
--full` rebuilds it from scratch at any time."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Authority, Organization, Province, Sector
from reports.constants import Channel, Severity, Status, Tier
from reports.models import Category, Report


def _ref(model, name):
    # Derived columns: no database constraint (rebuilt wholesale), joins for names only.
    return models.ForeignKey(
        model,
        verbose_name=name,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )


class ReportFact(models.Model):
    report = models.OneToOneField(
        Report,
        verbose_name=_("report"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="dashboard_fact",
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    day = models.DateField(_("day of submission (Beijing time)"))
    organization = _ref(Organization, _("organisation"))
    province = _ref(Province, _("province"))
    sector = _ref(Sector, _("sector"))
    receiving_authority = _ref(Authority, _("receiving authority"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    severity = models.CharField(_("level"), max_length=20, choices=Severity.choices)
    category = _ref(Category, _("category"))
    category_class = _ref(Category, _("category class"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices)
    # the filing clock (reportable levels only): met, and legally late or not
    file_due = models.BooleanField(_("had a filing limit"), default=False)
    file_late = models.BooleanField(_("filed late"), default=False)
    # forwarding to the national tier
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    forward_delay = models.DurationField(_("receipt to forward"), null=True, blank=True)
    forward_automatic = models.BooleanField(_("forwarded automatically"), default=False)
    forward_late = models.BooleanField(_("forwarded late"), default=False)
    summary_late = models.BooleanField(_("summary report late"), default=False)

    class Meta:
        verbose_name = _("dashboard figure row")
        verbose_name_plural = _("dashboard figure rows")
        indexes = [
            models.Index(fields=["day"], name="fact_day"),
            models.Index(fields=["receiving_authority", "day"], name="fact_authority_day"),
            models.Index(fields=["province", "day"], name="fact_province_day"),
            # the watch list's candidates: serious, still at a receiving authority
            models.Index(
                fields=["day"],
                name="fact_awaiting_day",
                condition=Q(tier="receiving", severity__in=["major", "especially_major"])
                & ~Q(status="closed"),
            ),
            models.Index(
                fields=["forwarded_at"],
                name="fact_forwarded_at",
                condition=Q(forwarded_at__isnull=False),
            ),
            models.Index(
                fields=["organization", "day"],
                name="fact_late_org_day",
                condition=Q(file_late=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.day}"


class SummaryState(models.Model):
    """One row: how far the summary has caught up."""

    refreshed_at = models.DateTimeField(_("last refreshed"), null=True, blank=True)
    history_seen_at = models.DateTimeField(_("changes read up to"), null=True, blank=True)
    max_report_id = models.BigIntegerField(_("highest report id read"), default=0)

    class Meta:
        verbose_name = _("dashboard summary state")
        verbose_name_plural = _("dashboard summary state")

    def __str__(self) -> str:
        return f"summary as of {self.refreshed_at}"
