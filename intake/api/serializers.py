"""API output of the inbox."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import InboxAttachment, InboxItem


class InboxAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = InboxAttachment
        fields = ["id", "name", "content_type", "size", "sha256"]
        read_only_fields = fields


class RefusedAttachmentSerializer(serializers.Serializer):
    name = serializers.CharField()
    reason = serializers.CharField()


class InboxItemSerializer(serializers.ModelSerializer):
    attachments = InboxAttachmentSerializer(source="files", many=True, read_only=True)
    refused_attachments = RefusedAttachmentSerializer(many=True, read_only=True)
    report = serializers.SerializerMethodField(
        help_text=_("The reference of the report it was added to or turned into, or null.")
    )
    handled_by = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text=_("The item's page on the portal."))

    class Meta:
        model = InboxItem
        fields = [
            "id",
            "route",
            "status",
            "message_id",
            "sender",
            "sender_name",
            "subject",
            "body",
            "sent_at",
            "received_at",
            "parse_error",
            "quoted_reference",
            "attachments",
            "refused_attachments",
            "report",
            "automatic",
            "handled_by",
            "handled_at",
            "dismissed_reason",
            "url",
        ]
        read_only_fields = fields

    def get_report(self, obj) -> str | None:
        return obj.report.reference if obj.report_id else None

    def get_handled_by(self, obj) -> str | None:
        return obj.handled_by.get_username() if obj.handled_by_id else None

    def get_url(self, obj) -> str:
        return reverse("intake:item", args=[obj.pk])
