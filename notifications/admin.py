from django.contrib import admin

from core.admin import ReadOnlyMixin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("user", "kind", "report", "created_at", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("user__username", "report__reference", "message")
    list_select_related = ("user", "report")
    date_hierarchy = "created_at"
    show_full_result_count = False
