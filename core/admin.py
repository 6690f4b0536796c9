"""Admin building blocks: rows that only the services write, and history that can be read
but never reverted (docs/ARCHITECTURE.md, "Admin")."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyMixin:
    """Visible to staff, written by services only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NoRevertMixin:
    """History can be read, not reverted: simple-history's revert saves the whole historical
    snapshot (status, clocks, …), bypassing the services. Its history form view accepts a
    POST even when the revert button is hidden, so refuse it here."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyHistoryAdmin(NoRevertMixin, ReadOnlyMixin, SimpleHistoryAdmin):
    """Rows the services write: visible with their history."""

    show_full_result_count = False
