"""Admin building blocks: rows that only the services write, and history that can be read
but never reverted (docs/ARCHITECTURE.md, "Admin")."""

import dataclasses

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin as BaseSimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from .formats import EMPTY, display_value


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    """The admin's history in words: choice labels instead of codes, Beijing time, "—" for
    nothing, a field's own formatter where the admin gives one (issue 13, points 4–5)."""

    def __init__(self, model, record, *, formatters=None, hidden=()):
        super().__init__(model, record)
        self.formatters = formatters or {}
        self.hidden = set(hidden)

    def context_for_delta_changes(self, delta):
        shown = [c for c in delta.changes if c.field not in self.hidden]
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=shown))

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        if change.field in self.formatters:
            return self.formatters[change.field](value)
        field = self.model._meta.get_field(change.field)
        if isinstance(value, DeletedObject):
            if value.pk is None:
                return EMPTY
            return _("deleted %(type_name)s #%(pk)s") % {
                "type_name": value.model._meta.verbose_name,
                "pk": value.pk,
            }
        return display_value(field, value)


class SimpleHistoryAdmin(BaseSimpleHistoryAdmin):
    """simple-history's admin with readable history (the portal's every history admin).
    `history_formatters` maps a field to a function of its value; `history_hidden_fields`
    are left out of the changes (counters, derived lists)."""

    history_formatters: dict = {}
    history_hidden_fields: tuple = ("version",)

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryHelper(
            self.model,
            historical_record,
            formatters=self.history_formatters,
            hidden=self.history_hidden_fields,
        )


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
