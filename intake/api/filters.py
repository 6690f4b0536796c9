import django_filters

from ..models import InboxItem


class InboxFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=InboxItem.Status.choices)
    route = django_filters.ChoiceFilter(choices=InboxItem.Route.choices)

    class Meta:
        model = InboxItem
        fields = ["status", "route"]
