"""The review queues' filters."""

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import BoundedDateFilter
from reports.filters import ReportFilterSet


def _day_start(value):
    """A date as the aware instant its day begins in Beijing (an index-friendly range on
    `submitted_at`, instead of `__date`, which converts every row)."""
    return timezone.make_aware(datetime.combine(value, time.min), timezone.get_default_timezone())


class ReviewQueueFilterSet(ReportFilterSet):
    """The review queues' filters: the shared ones plus a free-text search, the organisation
    and a submission date range. (A subclass, so the API's parameters stay as published.)"""

    q = django_filters.CharFilter(
        label=_("search"),
        method="filter_q",
        help_text=_("Reference, organisation name or title."),
    )
    organization = django_filters.CharFilter(
        label=_("organisation"),
        method="filter_organization",
        help_text=_("Name, or unified social credit code."),
    )
    submitted_from = BoundedDateFilter(
        label=_("submitted from"),
        method="filter_submitted_from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    submitted_to = BoundedDateFilter(
        label=_("submitted until"),
        method="filter_submitted_to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta(ReportFilterSet.Meta):
        fields = [
            "q",
            "severity",
            "category",
            "channel",
            "organization",
            "submitted_from",
            "submitted_to",
        ]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__iexact=value)
            | Q(organization__name__icontains=value)
            | Q(title__icontains=value)
        )

    def filter_organization(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if len(value) == 18 and value.isalnum():
            return queryset.filter(
                Q(organization__uscc=value.upper()) | Q(organization__name__icontains=value)
            )
        return queryset.filter(organization__name__icontains=value)

    def filter_submitted_from(self, queryset, name, value):
        return queryset.filter(submitted_at__gte=_day_start(value))

    def filter_submitted_to(self, queryset, name, value):
        return queryset.filter(submitted_at__lt=_day_start(value + timedelta(days=1)))
