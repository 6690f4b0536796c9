"""Web forms of the intake side: the report form (Art. 7), the state-secret guard, the
live grading preview, and the operator's actions after submission. They parse and
type-check input only; the rules live in `reports.services`, whose ValidationError dicts
come back onto these forms with `add_service_errors`."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Sector
from core.fields import TEXT_MAX
from core.formats import local_minute
from core.forms import (
    ActionForm,
    ServiceErrorsMixin,
    bootstrap,
    datetime_field,
    model_field_label,
    textarea,
)

from .constants import Severity
from .contents import DRAFT_FIELDS, FOLLOWUP_ITEMS, SUMMARY_FIELDS
from .indicators import INDICATOR_BY_KEY, INDICATORS, choice_labels
from .models import FollowUp, Report
from .selectors import leaf_categories

INDICATOR_PREFIX = "ind_"

INDICATOR_GROUPS = {
    "portal": _("Portal or news site unreachable"),
    "cii": _("Critical information infrastructure interrupted"),
    "population": _("People and population affected"),
    "data": _("Personal information and data"),
    "defacement": _("Illegal content spread through defacement"),
    "loss": _("Economic loss and other threats"),
}


def indicator_field_name(key: str) -> str:
    return f"{INDICATOR_PREFIX}{key}"


def _indicator_field(spec) -> forms.Field:
    common = {"label": spec.label, "required": False}
    if spec.kind == "int":
        return forms.IntegerField(
            min_value=0,
            max_value=spec.max_value,
            widget=forms.NumberInput(attrs={"min": 0, "step": 1}),
            **common,
        )
    if spec.kind == "decimal":
        return forms.DecimalField(
            min_value=0,
            max_value=spec.max_value,
            widget=forms.NumberInput(attrs={"min": 0, "step": "any"}),
            **common,
        )
    if spec.kind == "choice":
        labels = choice_labels(spec.key)
        choices = [("", "—")] + [(value, labels.get(value, value)) for value in spec.choices]
        return forms.ChoiceField(choices=choices, **common)
    return forms.CharField(
        max_length=spec.max_value, widget=forms.Textarea(attrs={"rows": 2}), **common
    )


def category_choices() -> list:
    """Leaf sub-categories grouped by class, for <optgroup>s (labels follow the language)."""
    groups: dict = {}
    for category in leaf_categories().order_by("code"):
        parent = category.parent
        key = parent.code if parent else category.code
        if key not in groups:
            groups[key] = (str(parent) if parent else str(category), [])
        groups[key][1].append((category.code, str(category)))
    return [("", "—")] + [(label, options) for label, options in groups.values()]


class StateSecretForm(forms.Form):
    """Asked before any report is entered (Art. 13): reports involving state secrets are not
    taken here, and nothing is stored."""

    involves_state_secrets = forms.TypedChoiceField(
        label=_("Does this incident involve state secrets?"),
        choices=[("no", _("No")), ("yes", _("Yes"))],
        widget=forms.RadioSelect,
    )
    organization = forms.ChoiceField(label=_("Organisation you report for"), required=False)
    request_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = list(organizations)
        if len(self.organizations) > 1:
            self.fields["organization"].required = True
            self.fields["organization"].choices = [("", "—")] + [
                (str(org.pk), org.name) for org in self.organizations
            ]
        else:
            del self.fields["organization"]
        if not self.is_bound:
            self.initial.setdefault("request_key", uuid.uuid4().hex)
        bootstrap(self)


def _short_text(label, **kwargs) -> forms.CharField:
    """An optional free-text item, two rows high."""
    return forms.CharField(label=label, required=False, widget=textarea(2), **kwargs)


# The labels of Art. 7 items 3–8, on the report form and on a follow-up.
ITEM_LABELS = {
    "trend": _("Trend and possible further impact"),
    "cause": _("Preliminary analysis of the cause"),
    "attack_clues": _("Leads: possible attacker, attack path, vulnerabilities"),
    "planned_measures": _("Further measures planned"),
    "support_requested": _("Support requested"),
    "scene_preservation": _("Preservation of the incident scene"),
    "other": _("Anything else to report"),
}
# Art. 11, which a follow-up may add after submission.
ART_11_LABELS = {
    "emergency_plan": _("Emergency plan executed"),
    "protective_measures": _("Protective measures in place"),
    "harm_reduced": _("Harm the plan and measures reduced"),
}


class ReportForm(forms.Form):
    """The draft form, Art. 7 items 1–8 plus Art. 11. Every field is optional here: a draft
    may be incomplete; `report_submit` says what is missing."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    # Item 1
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    affected_systems = forms.CharField(
        label=_("System or facility involved (basic facts)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    involves_cii = forms.BooleanField(
        label=_("The incident involves critical information infrastructure"), required=False
    )
    cii_sector = forms.ChoiceField(
        label=_("CII sector involved"),
        required=False,
        help_text=_(
            "Your organisation has no CII sector on record: if the incident involves critical "
            "information infrastructure, name its sector (the report goes to that sector's "
            "protection department)."
        ),
    )
    cii_untick_reason = forms.CharField(
        label=_("Why the incident does not involve your CII"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # Item 2
    discovered_at = datetime_field(_("Discovered or learned of at"))
    occurred_at = datetime_field(_("Occurred at"))
    location = forms.CharField(label=_("Place"), max_length=500, required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    severity_declared = forms.ChoiceField(label=_("Declared level"), required=False)
    impact_description = forms.CharField(
        label=_("Impact and harm so far"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    measures_taken = forms.CharField(
        label=_("Measures taken and their effect"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    ransom_amount = forms.DecimalField(
        label=_("Ransom demanded (amount)"),
        required=False,
        min_value=0,
        max_digits=20,
        decimal_places=2,
    )
    ransom_currency = forms.CharField(
        label=_("Currency"),
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. CNY, USD, BTC")}),
    )
    ransom_payment_method = forms.CharField(
        label=_("Payment method demanded"), max_length=200, required=False
    )
    ransom_demanded_at = datetime_field(_("Ransom demanded at"))
    # Items 3–8
    trend = _short_text(ITEM_LABELS["trend"])
    cause = _short_text(ITEM_LABELS["cause"])
    attack_clues = _short_text(ITEM_LABELS["attack_clues"])
    planned_measures = _short_text(ITEM_LABELS["planned_measures"])
    support_requested = _short_text(ITEM_LABELS["support_requested"])
    scene_preservation = _short_text(ITEM_LABELS["scene_preservation"])
    other = _short_text(ITEM_LABELS["other"])
    suspected_crime = forms.BooleanField(
        label=_("A crime is suspected (public security receives a copy)"), required=False
    )
    # Art. 11
    emergency_plan = _short_text(_("Emergency plan followed"))
    protective_measures = _short_text(_("Protective measures in place"))
    harm_reduced = _short_text(_("Harm the plan and measures reduced"))
    late_reason = _short_text(
        _("Reason for late submission"), help_text=_("Required when the filing limit has passed.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["cii_sector"].choices = [("", "—")] + [
            (code, name)
            for code, name in Sector.objects.order_by("code").values_list("code", "name")
        ]
        self.fields["severity_declared"].choices = [("", "—"), *Severity.choices]
        for spec in INDICATORS:
            self.fields[indicator_field_name(spec.key)] = _indicator_field(spec)
        bootstrap(self)

    # --- reading a report into the form ------------------------------------------------
    @classmethod
    def initial_for(cls, report) -> dict:
        initial = {"version": report.version}
        for name in DRAFT_FIELDS:
            if name == "category":
                initial[name] = report.category_id or ""
            elif name == "cii_sector":
                initial[name] = report.cii_sector_id or ""
            elif name == "indicators":
                for key, value in (report.indicators or {}).items():
                    if key in INDICATOR_BY_KEY:
                        initial[indicator_field_name(key)] = value
            else:
                initial[name] = getattr(report, name)
        return initial

    # --- grouping for the template -----------------------------------------------------
    def indicator_groups(self) -> list:
        groups: dict = {}
        for spec in INDICATORS:
            groups.setdefault(spec.group, []).append(self[indicator_field_name(spec.key)])
        return [(INDICATOR_GROUPS.get(group, group), fields) for group, fields in groups.items()]

    # --- handing the input to the services ---------------------------------------------
    def indicators(self, fallback: dict | None = None) -> dict:
        """The indicator dict for `data["indicators"]`. A key whose input did not parse
        keeps its `fallback` (stored) value, so a typing error never wipes a saved value."""
        cleaned = getattr(self, "cleaned_data", {})
        result = {}
        for spec in INDICATORS:
            name = indicator_field_name(spec.key)
            value = (fallback or {}).get(spec.key) if name in self.errors else cleaned.get(name)
            if value is None or value == "":
                continue
            result[spec.key] = str(value) if spec.kind == "decimal" else value
        return result

    def service_data(self, fallback_indicators: dict | None = None) -> dict:
        """The fields that parsed, as the `data` dict the services take. Fields with type
        errors are left out (the stored value stays)."""
        cleaned = getattr(self, "cleaned_data", {})
        data = {}
        for name in DRAFT_FIELDS:
            if name == "indicators":
                data[name] = self.indicators(fallback_indicators)
            elif name in cleaned and name not in self.errors:
                value = cleaned[name]
                if name in ("category", "cii_sector"):
                    value = value or None
                data[name] = value
        return data

    def add_service_errors(self, exc: ValidationError) -> None:
        """Show a service's field-level errors next to the fields."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for field, errors in exc.message_dict.items():
            if field == "indicators":
                for message in errors:
                    key, sep, rest = message.partition(": ")
                    if sep and key in INDICATOR_BY_KEY:
                        self._add(indicator_field_name(key), rest)
                    else:
                        self._add(None, message)
            elif field in INDICATOR_BY_KEY:
                for message in errors:
                    self._add(indicator_field_name(field), message)
            elif field in self.fields:
                for message in errors:
                    self._add(field, message)
            else:
                label = model_field_label(Report, field)
                for message in errors:
                    self._add(None, f"{label}: {message}" if label else message)

    def _add(self, field, message) -> None:
        # add_error() drops the field from cleaned_data; tolerate forms not yet cleaned.
        if not hasattr(self, "cleaned_data"):
            self.cleaned_data = {}
        if field is not None and field in self.errors and message in self.errors[field]:
            return
        self.add_error(field, message)


class GradingPreviewForm(forms.Form):
    """The indicator fields and the declared level, as posted by the live-grading request."""

    severity_declared = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["severity_declared"].choices = [("", "—"), *Severity.choices]
        for spec in INDICATORS:
            self.fields[indicator_field_name(spec.key)] = _indicator_field(spec)

    indicators = ReportForm.indicators


# --- The operator's actions on the report page ------------------------------------------
# Each form only parses; the one service its action calls decides.


class OperatorActionForm(ActionForm):
    label_model = Report


class FollowUpForm(OperatorActionForm):
    """补报 (items 3–8 that could not be given at first) or 续报 (progress)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=(), widget=forms.RadioSelect)
    body = forms.CharField(label=_("What is new"), required=False, widget=textarea(4))
    severity_declared = forms.ChoiceField(
        label=_("New declared level (optional)"), required=False, choices=()
    )
    file = forms.FileField(
        label=_("Evidence file (optional)"),
        required=False,
        allow_empty_file=True,  # the service refuses it with its own message
        help_text=_("PDF, PNG, JPEG, ZIP/DOCX/XLSX, PCAP or plain text."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = FollowUp.Kind.choices
        self.fields["severity_declared"].choices = [("", "—"), *Severity.choices]
        for name, label in {**ITEM_LABELS, **ART_11_LABELS}.items():
            self.fields[name] = forms.CharField(
                label=label, required=False, widget=textarea(2), max_length=TEXT_MAX
            )
        if not self.is_bound:
            self.initial.setdefault("kind", "supplement")
        bootstrap(self)

    def service_kwargs(self) -> dict:
        data = {name: self.cleaned_data[name] for name in ("kind", "body", *FOLLOWUP_ITEMS)}
        if self.cleaned_data.get("severity_declared"):
            data["severity_declared"] = self.cleaned_data["severity_declared"]
        return {"data": data}


class HandlingEndedForm(OperatorActionForm):
    handling_ended_at = datetime_field(_("Handling ended at"))

    def service_kwargs(self) -> dict:
        return {"handling_ended_at": self.cleaned_data["handling_ended_at"]}


SUMMARY_LABELS = {  # the summary report's sections (contents.SUMMARY_FIELDS)
    "cause": _("Cause"),
    "emergency_measures": _("Emergency measures taken"),
    "harm": _("Harm caused"),
    "accountability": _("Accountability"),
    "rectification": _("Rectification"),
    "lessons": _("Lessons learned"),
}


class SummaryForm(OperatorActionForm):
    """总结报告 (Art. 8)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in SUMMARY_LABELS.items():
            self.fields[name] = forms.CharField(
                label=label, required=False, widget=textarea(3), max_length=TEXT_MAX
            )
        bootstrap(self)

    def service_kwargs(self) -> dict:
        return {"data": {name: self.cleaned_data[name] for name in SUMMARY_FIELDS}}


# --- Evidence attachments -------------------------------------------------------------------


class EvidenceForm(ServiceErrorsMixin, forms.Form):
    """Attach an evidence file to the report (or to one of its follow-ups). The checks on
    the content are the service's (`attachment_add`)."""

    label_model = Report

    file = forms.FileField(
        label=_("Evidence file"),
        allow_empty_file=True,  # the service refuses it with its own message
        help_text=_(
            "PDF, PNG, JPEG, ZIP/DOCX/XLSX, PCAP or plain text. The type is checked on the "
            "content, not the name."
        ),
    )
    followup = forms.TypedChoiceField(
        label=_("Belongs to"), required=False, coerce=int, empty_value=None, choices=()
    )

    def __init__(self, *args, followups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.followups = {f.pk: f for f in followups}
        self.fields["followup"].choices = [
            ("", _("The report itself")),
            *((f.pk, f"{f.get_kind_display()} · {local_minute(f.created_at)}") for f in followups),
        ]
        if not followups:
            self.fields["followup"].widget = forms.HiddenInput()
        bootstrap(self)

    def followup_object(self):
        return self.followups.get(self.cleaned_data.get("followup"))
