import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import StrictBooleanFilter

from .models import Notification


class NotificationFilterSet(django_filters.FilterSet):
    unread = StrictBooleanFilter(
        label=_("unread"),
        field_name="read_at",
        lookup_expr="isnull",
        help_text=_("true: only the unread ones; false: only the read ones."),
    )

    class Meta:
        model = Notification
        fields = ["unread"]
