from django.contrib import admin
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from core.admin import NoRevertMixin, ReadOnlyMixin, SimpleHistoryAdmin
from core.formats import local_minute

from .models import Deadline, EscalationPolicy, SweepHeartbeat


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(SimpleHistoryAdmin):
    """Editable: the ModelForm runs `EscalationPolicy.clean()`, which refuses limits looser
    than the law, a margin of half the window or more, and bad reminder fractions."""

    list_display = (
        "channel",
        "file_within",
        "forward_within",
        "auto_forward_margin",
        "reminder_fractions",
    )

    def has_delete_permission(self, request, obj=None):
        return False  # one row per channel; without it the statutory defaults apply silently


@admin.register(Deadline)
class DeadlineAdmin(NoRevertMixin, SimpleHistoryAdmin):
    """Clocks are opened, met and acted on by the escalation services only. The admin may
    explain a lateness (`late_cause`); the mark itself cannot be removed (docs/RULES.md §2)."""

    list_display = (
        "report",
        "kind",
        "outcome",
        "opened_at",
        "due_at",
        "statutory_due_at",
        "met_at",
        "lateness",
        "next_fire_at",
    )
    list_filter = ("kind", "outcome", "policy_channel")
    search_fields = ("report__reference",)
    list_select_related = ("report",)
    date_hierarchy = "opened_at"
    show_full_result_count = False
    fields = (
        "report",
        "kind",
        "outcome",
        "opened_at",
        "statutory_due_at",
        "due_at",
        "act_at",
        "next_fire_at",
        "reminders",
        "reminders_sent",
        "met_at",
        "acted_at",
        "lateness",
        "late_cause",
        "closed_reason",
        "policy_channel",
        "policy_within",
        "policy_margin",
    )
    readonly_fields = tuple(f for f in fields if f != "late_cause")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("reminders"))
    def reminders(self, obj):
        """The reminder times in Beijing time (stored as ISO instants in UTC)."""
        times = [parse_datetime(value) for value in obj.remind_at or []]
        return "、".join(local_minute(t) for t in times if t) or "—"


@admin.register(SweepHeartbeat)
class SweepHeartbeatAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("__str__", "last_run_at", "acted")
