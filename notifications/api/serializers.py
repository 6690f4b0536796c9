from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import StrictInputSerializer

from ..models import Notification


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Notification.Kind.choices)
    message = serializers.CharField()
    report = serializers.IntegerField(
        source="report_id", allow_null=True, help_text=_("The report it is about, or null.")
    )
    reference = serializers.SerializerMethodField(help_text=_("That report's reference."))
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    unread = serializers.SerializerMethodField()

    def get_reference(self, obj) -> str | None:
        return obj.report.reference if obj.report_id else None

    def get_unread(self, obj) -> bool:
        return obj.read_at is None


class NotificationsReadInputSerializer(StrictInputSerializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=1000,
        help_text=_("The notifications to mark read; leave out to mark all of yours read."),
    )


class NotificationsReadSerializer(serializers.Serializer):
    updated = serializers.IntegerField(help_text=_("How many were unread and are now read."))
