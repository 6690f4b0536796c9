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
from reports.constants import Channel, ReceivedVia, Severity, Status, Tier
from reports.models import Category, Report


def _ref(model, name):
    # Derived columns: no database constraint (rebuilt wholesale), joins for names only, and
    # no single-column index (the composite ones below serve the filters).
    return models.ForeignKey(
        model,
        verbose_name=name,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
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
    route = models.CharField(
        _("received via"), max_length=10, choices=ReceivedVia.choices, default=ReceivedVia.WEB
    )
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
            models.Index(fields=["category", "day"], name="fact_category_day"),
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
            # the percentiles of receipt-to-forward per authority: read from the index alone,
            # already in authority order, whatever the filters
            models.Index(
                fields=["receiving_authority", "day"],
                include=[
                    "forward_delay",
                    "channel",
                    "severity",
                    "province",
                    "sector",
                    "category",
                    "category_class",
                ],
                name="fact_forward_delay",
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


MONTHLY_KEY = (
    "month",
    "receiving_authority_id",
    "province",
    "sector",
    "channel",
    "route",
    "severity",
    "category_class",
    "status",
)


class MonthlyFigure(models.Model):
    """The counts of `ReportFact` rolled up by calendar month of submission and by every
    dimension the dashboard filters or groups on, except the sub-category. A whole year is
    about a tenth as many rows as reports (a million reports: about 110 000 rows), so the
    counting figures over long periods read these instead of every report; the days of a
    period outside whole months, and any sub-category filter, are counted on `ReportFact`
    (`dashboard.selectors`).

    Kept by `dashboard.summary` in step with `ReportFact`: each refresh subtracts the old
    rows of the reports it re-derives and adds their new ones, in the same transaction.
    Missing dimensions are stored as "" or 0, so that the key is unique without NULLs."""

    month = models.DateField(_("month (its first day)"))
    receiving_authority_id = models.BigIntegerField(_("receiving authority"), default=0)
    province = models.CharField(_("province"), max_length=6, blank=True, default="")
    sector = models.CharField(_("sector"), max_length=40, blank=True, default="")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    route = models.CharField(
        _("received via"), max_length=10, choices=ReceivedVia.choices, default=ReceivedVia.WEB
    )
    severity = models.CharField(_("level"), max_length=20, choices=Severity.choices)
    category_class = models.CharField(_("category class"), max_length=8, blank=True, default="")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    reports = models.IntegerField(_("reports"), default=0)
    file_due = models.IntegerField(_("with a filing limit"), default=0)
    file_late = models.IntegerField(_("filed late (of those with a limit)"), default=0)
    forwarded = models.IntegerField(_("forwarded"), default=0)
    forward_automatic = models.IntegerField(_("forwarded automatically"), default=0)
    forward_late = models.IntegerField(_("forwarded late"), default=0)
    summary_late = models.IntegerField(_("summary report late"), default=0)

    KEY = MONTHLY_KEY
    MEASURES = (
        "reports",
        "file_due",
        "file_late",
        "forwarded",
        "forward_automatic",
        "forward_late",
        "summary_late",
    )

    class Meta:
        verbose_name = _("dashboard monthly figure")
        verbose_name_plural = _("dashboard monthly figures")
        constraints = [models.UniqueConstraint(fields=MONTHLY_KEY, name="monthly_figure_key")]
        indexes = [
            models.Index(fields=["receiving_authority_id", "month"], name="monthly_authority"),
            models.Index(fields=["province", "month"], name="monthly_province"),
            # the rows a refresh emptied, deleted after it
            models.Index(fields=["month"], name="monthly_empty", condition=Q(reports=0)),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.severity} {self.status}: {self.reports}"


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
