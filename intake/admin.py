from django.contrib import admin

from core.admin import ReadOnlyMixin

from .models import InboxAttachment, InboxItem


class InboxAttachmentInline(ReadOnlyMixin, admin.TabularInline):
    model = InboxAttachment
    extra = 0
    fields = ("name", "content_type", "size", "sha256")
    readonly_fields = fields


@admin.register(InboxItem)
class InboxItemAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """E-mail and fax of the 12387 mailbox: stored by `inbox_ingest`, triaged at /inbox/."""

    list_display = ("received_at", "route", "sender", "subject", "status", "report")
    list_filter = ("status", "route")
    search_fields = ("subject", "sender", "message_id", "quoted_reference")
    list_select_related = ("report",)
    date_hierarchy = "received_at"
    exclude = ("raw",)
    inlines = [InboxAttachmentInline]


@admin.register(InboxAttachment)
class InboxAttachmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "item", "content_type", "size", "sha256")
    list_select_related = ("item",)
    exclude = ("file",)  # stored outside the web roots: no URL
