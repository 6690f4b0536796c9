"""django-filter FilterSets of reports, shared by the HTML lists and the API.

They only narrow a queryset that already went through `Report.objects.visible_to(user)`
(the selectors); they never widen it."""

import django_filters
from django.db.models import Exists, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import StrictBooleanFilter
from escalation.selectors import overdue_clocks_of_outer_report

from .constants import Channel, Severity, Status, Tier
from .models import Report


class ReportFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=Status.choices)
    tier = django_filters.ChoiceFilter(label=_("tier"), choices=Tier.choices)
    channel = django_filters.ChoiceFilter(label=_("channel"), choices=Channel.choices)
    severity = django_filters.ChoiceFilter(label=_("level"), choices=Severity.choices)
    province = django_filters.CharFilter(
        label=_("province"),
        field_name="organization__province",
        help_text=_("GB/T 2260 code of the organisation's province, e.g. 440000."),
    )
    category = django_filters.CharFilter(
        label=_("category"),
        method="filter_category",
        help_text=_(
            "A sub-category code (e.g. 0107), or a class code (e.g. 01) for all its sub-categories."
        ),
    )
    overdue = StrictBooleanFilter(
        label=_("overdue"),
        method="filter_overdue",
        help_text=_("Has an open clock whose due time has passed."),
    )

    class Meta:
        model = Report
        fields = ["status", "tier", "channel", "severity", "province", "category", "overdue"]

    def filter_category(self, queryset, name, value):
        return queryset.filter(Q(category_id=value) | Q(category__parent_id=value))

    def filter_overdue(self, queryset, name, value):
        late_clock = overdue_clocks_of_outer_report(timezone.now())
        return (
            queryset.filter(Exists(late_clock)) if value else queryset.exclude(Exists(late_clock))
        )
