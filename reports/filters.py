"""django-filter FilterSets, shared by the HTML lists and the API (STYLE.md B1, NetBox).

They only narrow a queryset that already went through `Report.objects.visible_to(user)`
(the selectors); they never widen it."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import Channel, Severity, Status, Tier
from .models import Report


def _deadline_model():
    # Reports never imports escalation models (dependencies run escalation → reports):
    # reach the clock table through the reverse relation instead.
    return Report._meta.get_field("deadlines").related_model


class StrictBooleanField(forms.NullBooleanField):
    """`true`/`false` (or 1/0, on/off); anything else is an error, not "no filter"."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        if str(value).lower() in ("true", "1", "on", "yes"):
            return True
        if str(value).lower() in ("false", "0", "off", "no"):
            return False
        raise forms.ValidationError(_("Give true or false."), code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        # A plain select: django-filter's BooleanWidget turns unknown values into "no filter".
        kwargs.setdefault(
            "widget", forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])
        )
        super().__init__(*args, **kwargs)


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
        late_clock = _deadline_model().objects.filter(
            report=OuterRef("pk"), outcome="open", due_at__lt=timezone.now()
        )
        return (
            queryset.filter(Exists(late_clock)) if value else queryset.exclude(Exists(late_clock))
        )


def _notification_model():
    # The bell lives in escalation; reached through the reverse relation, as above.
    return Report._meta.get_field("notifications").related_model


class NotificationFilterSet(django_filters.FilterSet):
    unread = StrictBooleanFilter(
        label=_("unread"),
        field_name="read_at",
        lookup_expr="isnull",
        help_text=_("true: only the unread ones; false: only the read ones."),
    )

    class Meta:
        model = _notification_model()
        fields = ["unread"]


def _day_start(value):
    """A date as the aware instant its day begins in Beijing (an index-friendly range on
    `submitted_at`, instead of `__date`, which converts every row)."""
    from datetime import datetime, time

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
    submitted_from = django_filters.DateFilter(
        label=_("submitted from"),
        method="filter_submitted_from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    submitted_to = django_filters.DateFilter(
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
        from datetime import timedelta

        return queryset.filter(submitted_at__lt=_day_start(value + timedelta(days=1)))
