from django.contrib import admin

from core.admin import ReadOnlyHistoryAdmin

from .models import TipOff


@admin.register(TipOff)
class TipOffAdmin(ReadOnlyHistoryAdmin):
    """Public tip-offs: stored by `tipoff_submit`, triaged on the portal's pages."""

    list_display = ("title", "submitted_at", "province", "status", "handled_by", "report")
    list_filter = ("status", "province")
    search_fields = ("title", "description", "organization_name")
    list_select_related = ("province", "handled_by", "report")
    date_hierarchy = "submitted_at"
