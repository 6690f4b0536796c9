"""Admin for reports (docs/ARCHITECTURE.md: "Django admin for every model, with history").

Workflow and derived fields of a report (status, tier, channel, recipients, levels, times,
indicators…) are read-only here: they change only through the services, which also
write the events and clocks. An admin may correct the wording of a report's free-text
items; each correction is kept in the history and bumps `version`, so a stale API edit
gets its 409."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin
from django.template.defaultfilters import linebreaksbr
from django.utils.translation import gettext_lazy as _

from core.admin import (
    NoRevertMixin,
    ReadOnlyHistoryAdmin,
    ReadOnlyInline,
    ReadOnlyMixin,
    SimpleHistoryAdmin,
)

from .constants import Severity
from .contents import ADMIN_EDITABLE, ART_11, CRIME, ITEM_2, ITEMS_3_TO_8, RANSOM
from .grading import POPULATION_SCOPE_RANK, SCOPE_KEYS
from .indicators import (
    INDICATOR_BY_KEY,
    INDICATORS,
    UNIT_LABELS,
    criteria_display,
    indicator_value_label,
    indicators_display,
)
from .models import (
    Attachment,
    Category,
    FollowUp,
    Forwarding,
    GradingCriterion,
    IdempotencyKey,
    InfoRequest,
    Report,
    ReportEvent,
    SummaryReport,
)
from .templatetags.report_labels import indicator_label

LEVELS = [s.value for s in Severity if s != Severity.GENERAL]


class SubcategoryInline(admin.TabularInline):
    model = Category
    fk_name = "parent"
    fields = ("code", "name", "name_en")
    extra = 0
    verbose_name = _("sub-class")
    verbose_name_plural = _("sub-classes")


@admin.register(Category)
class CategoryAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "name_en", "parent")
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("code", "name", "name_en")
    list_select_related = ("parent",)
    inlines = [SubcategoryInline]


class GradingCriterionForm(forms.ModelForm):
    class Meta:
        model = GradingCriterion
        fields = ("indicator", "level", "threshold", "unit", "scope", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the grading guide's indicators by their labels, not their codes
        graded = [
            (spec.key, spec.label)
            for spec in INDICATORS
            if spec.kind != "text" and spec.key not in SCOPE_KEYS.values()
        ]
        current = self.initial.get("indicator")
        if current and current not in dict(graded):
            graded.append((current, current))
        self.fields["indicator"] = forms.ChoiceField(
            label=self.fields["indicator"].label, choices=[("", "—"), *graded]
        )

    def clean(self):
        data = super().clean()
        indicator, unit = data.get("indicator"), data.get("unit")
        threshold = (data.get("threshold") or "").strip()
        scope = (data.get("scope") or "").strip()
        spec = INDICATOR_BY_KEY.get(indicator)
        if indicator and (spec is None or spec.kind == "text" or indicator in SCOPE_KEYS.values()):
            self.add_error("indicator", _("Not a graded indicator of the grading guide."))
        if unit == "choice" or (spec and spec.kind == "choice"):
            if spec and spec.kind != "choice":
                self.add_error("unit", _("This indicator is a number, not a choice."))
            if threshold not in LEVELS:
                self.add_error(
                    "threshold", _("For a choice, the threshold is one of: %s.") % ", ".join(LEVELS)
                )
        else:
            try:
                number = Decimal(threshold)
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite() or number < 0:
                self.add_error("threshold", _("Enter a number of at least zero."))
        if scope:
            allowed = (
                list(POPULATION_SCOPE_RANK)
                if SCOPE_KEYS.get(indicator) == "population_scope"
                else LEVELS
            )
            if scope not in allowed:
                self.add_error("scope", _("Choose one of: %s.") % ", ".join(allowed))
        data["threshold"], data["scope"] = threshold, scope
        return data


class IndicatorFilter(admin.SimpleListFilter):
    """The grading criteria by indicator, listed by the indicators' labels."""

    title = _("indicator")
    parameter_name = "indicator"

    def lookups(self, request, model_admin):
        used = set(GradingCriterion.objects.values_list("indicator", flat=True))
        return [(spec.key, spec.label) for spec in INDICATORS if spec.key in used]

    def queryset(self, request, queryset):
        return queryset.filter(indicator=self.value()) if self.value() else queryset


@admin.register(GradingCriterion)
class GradingCriterionAdmin(SimpleHistoryAdmin):
    form = GradingCriterionForm
    list_display = ("indicator_label", "level", "threshold_label", "scope_label")
    list_filter = ("level", IndicatorFilter)
    search_fields = ("indicator", "note")
    history_formatters = {"indicator": lambda key: indicator_label(key)}

    @admin.display(description=_("indicator"), ordering="indicator")
    def indicator_label(self, obj):
        return indicator_label(obj.indicator)

    @admin.display(description=_("threshold"))
    def threshold_label(self, obj):
        if obj.unit == "choice":
            return indicator_value_label(obj.indicator, obj.threshold)
        return f"≥ {obj.threshold} {UNIT_LABELS.get(obj.unit, obj.unit)}".strip()

    @admin.display(description=_("scope"))
    def scope_label(self, obj):
        return indicator_value_label(SCOPE_KEYS.get(obj.indicator, ""), obj.scope)


class ReportEventInline(ReadOnlyInline):
    model = ReportEvent
    fields = ("at", "kind", "actor", "automatic", "note")
    readonly_fields = fields


class FollowUpInline(ReadOnlyInline):
    model = FollowUp
    fields = ("created_at", "kind", "body", "created_by")
    readonly_fields = fields


class InfoRequestInline(ReadOnlyInline):
    model = InfoRequest
    fields = ("requested_at", "authority", "question", "due_at", "answered_at")
    readonly_fields = fields


@admin.register(Report)
class ReportAdmin(NoRevertMixin, SimpleHistoryAdmin):
    history_formatters = {"indicators": indicators_display, "criteria_met": criteria_display}
    list_display = (
        "reference",
        "title",
        "organization",
        "channel",
        "severity",
        "status",
        "tier",
        "receiving_authority",
        "submitted_at",
    )
    list_filter = ("status", "tier", "channel", "severity", "involves_cii", "suspected_crime")
    search_fields = ("reference", "title", "organization__name")
    list_select_related = ("organization", "receiving_authority")
    date_hierarchy = "submitted_at"
    show_full_result_count = False  # the table may hold millions of rows
    inlines = [ReportEventInline, InfoRequestInline, FollowUpInline]
    fieldsets = (
        (
            _("Workflow (changed through the portal's services only)"),
            {
                "fields": (
                    ("reference", "version"),
                    ("status", "tier"),
                    ("channel", "involves_cii", "cii_sector", "cii_untick_reason"),
                    "organization",
                    ("receiving_authority", "copied_to_list"),
                    ("created_by", "submitted_by", "assignee"),
                    ("created_at", "submitted_at", "forwarded_at", "handling_ended_at"),
                    "submitted_sha256",
                    ("requested_by", "requested_at", "missed_at"),
                    "closed_reason",
                )
            },
        ),
        (
            _("Grading"),
            {
                "fields": (
                    ("severity_declared", "severity_suggested", "severity_reviewed", "severity"),
                    "grade_reason",
                    "indicators_text",
                    "criteria_text",
                )
            },
        ),
        (
            _("Items 1–2 (Art. 7)"),
            {
                "fields": (
                    "title",
                    "affected_systems",
                    tuple(ITEM_2[:2]),
                    *ITEM_2[2:],
                    RANSOM,
                )
            },
        ),
        (_("Items 3–8 (Art. 7)"), {"fields": (*ITEMS_3_TO_8, *CRIME)}),
        (_("Mitigating circumstances and lateness"), {"fields": ART_11}),
    )

    def get_readonly_fields(self, request, obj=None):
        shown = admin.utils.flatten_fieldsets(self.fieldsets)
        return tuple(f for f in shown if f not in ADMIN_EDITABLE)

    @admin.display(description=_("grading indicators"))
    def indicators_text(self, obj):
        return indicators_display(obj.indicators)

    @admin.display(description=_("criteria met"))
    def criteria_text(self, obj):
        return linebreaksbr(criteria_display(obj.criteria_met))

    @admin.display(description=_("copied to"))
    def copied_to_list(self, obj):
        return ", ".join(str(a) for a in obj.copied_to.all()) or "—"

    def has_add_permission(self, request):
        return False  # reports are filed through the portal, which routes and opens clocks

    def has_delete_permission(self, request, obj=None):
        return False  # the record of a report is evidence (Art. 10)

    def save_model(self, request, obj, form, change):
        if change and form.changed_data:
            obj.version += 1
            obj._change_reason = str(_("Corrected in the admin"))
        super().save_model(request, obj, form, change)


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("report", "kind", "at", "actor", "automatic")
    list_filter = ("kind", "automatic")
    search_fields = ("report__reference", "note")
    list_select_related = ("report", "actor")
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("key", "user", "report", "created_at")
    search_fields = ("key", "user__username", "report__reference")
    list_select_related = ("user", "report")

    def has_delete_permission(self, request, obj=None):
        return True  # housekeeping: an old key only protects against a retried create


@admin.register(Forwarding)
class ForwardingAdmin(ReadOnlyHistoryAdmin):
    list_display = ("report", "at", "automatic", "actor", "from_authority")
    list_filter = ("automatic",)
    search_fields = ("report__reference",)
    list_select_related = ("report", "actor", "from_authority")
    date_hierarchy = "at"


@admin.register(InfoRequest)
class InfoRequestAdmin(ReadOnlyHistoryAdmin):
    list_display = ("report", "authority", "requested_at", "due_at", "answered_at")
    search_fields = ("report__reference", "question")
    list_select_related = ("report", "authority")


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyHistoryAdmin):
    list_display = ("report", "kind", "created_at", "created_by")
    list_filter = ("kind",)
    search_fields = ("report__reference", "body")
    list_select_related = ("report", "created_by")


@admin.register(SummaryReport)
class SummaryReportAdmin(ReadOnlyHistoryAdmin):
    list_display = ("report", "filed_at", "filed_by")
    search_fields = ("report__reference",)
    list_select_related = ("report", "filed_by")


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyHistoryAdmin):
    """Evidence: uploaded through `attachment_add` only (content checked, hash recorded).
    Staff read the metadata here; the file itself is served by the report's download view,
    which applies the report's visibility."""

    list_display = (
        "name",
        "report",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    )
    list_filter = ("content_type",)
    search_fields = ("report__reference", "name", "sha256")
    list_select_related = ("report", "uploaded_by")
    date_hierarchy = "uploaded_at"
    exclude = ("file",)
