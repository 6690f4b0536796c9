"""The dashboard's filters (period, province, sector, channel, level, category): one form,
used by the page, every `/api/v1/stats/…` endpoint and the exports, so the same query
string gives the same figures everywhere."""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Province, Sector
from core.filters import EARLIEST_DATE, BoundedDateField
from reports.constants import Channel, ReceivedVia, Severity
from reports.models import Category

BEIJING = ZoneInfo("Asia/Shanghai")
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366


def today(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(BEIJING).date()


@dataclass(frozen=True)
class DashboardFilters:
    date_from: date
    date_to: date
    province: str | None = None
    sector: str | None = None
    channel: str | None = None
    route: str | None = None
    level: str | None = None
    category: str | None = None
    category_is_class: bool = False  # a class: the category and all its sub-categories

    @property
    def start(self) -> datetime:
        """The period as instants: from local midnight of `date_from` to local midnight after
        `date_to` (Beijing time, the dates the user picked)."""
        return datetime.combine(self.date_from, time.min, tzinfo=BEIJING)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=BEIJING)

    def fact_q(self) -> Q:
        """Conditions on `ReportFact`."""
        q = Q(day__gte=self.date_from, day__lte=self.date_to)
        for field, value in (
            ("province_id", self.province),
            ("sector_id", self.sector),
            ("channel", self.channel),
            ("route", self.route),
            ("severity", self.level),
        ):
            if value:
                q &= Q(**{field: value})
        if self.category and self.category_is_class:
            q &= Q(category_class_id=self.category)  # its sub-categories and itself
        elif self.category:
            q &= Q(category_id=self.category)
        return q

    def monthly_q(self) -> Q | None:
        """The same conditions, but the period, on `MonthlyFigure`; None when they cannot be
        answered from it (a sub-category: the monthly rows hold only its class)."""
        if self.category and not self.category_is_class:
            return None
        q = Q()
        for field, value in (
            ("province", self.province),
            ("sector", self.sector),
            ("channel", self.channel),
            ("route", self.route),
            ("severity", self.level),
            ("category_class", self.category),
        ):
            if value:
                q &= Q(**{field: value})
        return q

    def with_period(self, date_from: date, date_to: date) -> "DashboardFilters":
        return replace(self, date_from=date_from, date_to=date_to)

    def report_q(self, *, period: bool = True) -> Q:
        """The same conditions on `Report` (lists and exports)."""
        q = Q(submitted_at__gte=self.start, submitted_at__lt=self.end) if period else Q()
        for field, value in (
            ("organization__province_id", self.province),
            ("organization__sector_id", self.sector),
            ("channel", self.channel),
            ("received_via", self.route),
            ("severity", self.level),
        ):
            if value:
                q &= Q(**{field: value})
        if self.category:
            q &= Q(category_id=self.category) | Q(category__parent_id=self.category)
        return q

    def slug(self) -> str:
        return f"{self.date_from:%Y%m%d}-{self.date_to:%Y%m%d}"


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        prefix = "" if obj.parent_id is None else "\u2003"
        return f"{prefix}{obj}"


class DashboardFilterForm(forms.Form):
    date_from = BoundedDateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = BoundedDateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.all(), required=False, empty_label=_("All")
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.all(), required=False, empty_label=_("All")
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All")), *Channel.choices], required=False
    )
    route = forms.ChoiceField(
        label=_("Received via"), choices=[("", _("All")), *ReceivedVia.choices], required=False
    )
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("All")), *Severity.choices], required=False
    )
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.order_by("code"),
        required=False,
        empty_label=_("All"),
        help_text=_("A class includes all its sub-categories."),
    )

    def __init__(self, *args, now: datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        if "date_from" in self.errors or "date_to" in self.errors:
            return data  # a bad date: no period to check
        last = data.get("date_to") or today(self.now)
        first = data.get("date_from") or max(last - timedelta(days=DEFAULT_DAYS - 1), EARLIEST_DATE)
        if first > last:
            raise forms.ValidationError(
                {"date_from": _("The start of the period must not be after its end.")}
            )
        if (last - first).days >= MAX_DAYS:
            raise forms.ValidationError(
                {"date_from": _("The period may not be longer than three years.")}
            )
        data["date_from"], data["date_to"] = first, last
        return data

    def filters(self) -> DashboardFilters:
        data = self.cleaned_data
        return DashboardFilters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            province=data["province"].pk if data.get("province") else None,
            sector=data["sector"].pk if data.get("sector") else None,
            channel=data.get("channel") or None,
            route=data.get("route") or None,
            level=data.get("level") or None,
            category=data["category"].pk if data.get("category") else None,
            category_is_class=bool(data.get("category") and data["category"].parent_id is None),
        )


def default_filters(now: datetime | None = None) -> DashboardFilters:
    last = today(now)
    return DashboardFilters(date_from=last - timedelta(days=DEFAULT_DAYS - 1), date_to=last)
