"""The review actions' web forms, and the form to require a report. Each form only parses;
the one service its action calls decides (and its ValidationError comes back onto the form
through `add_service_errors`)."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from core.fields import TEXT_MAX
from core.forms import ActionForm, ServiceErrorsMixin, bootstrap, datetime_field, textarea
from reports.constants import Channel, Severity
from reports.models import Finding, Report

from .selectors import configured_same_level_departments

DEPARTMENT_SEPARATORS = re.compile(r"[,，、;；\n\r]+")


class ReviewActionForm(ActionForm):
    label_model = Report


class ClaimForm(ReviewActionForm):
    pass


class AcknowledgeForm(ReviewActionForm):
    pass


class AssignForm(ReviewActionForm):
    user = forms.TypedChoiceField(label=_("Assign to"), coerce=int, choices=())

    def __init__(self, *args, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "—")] + [
            (u.pk, u.get_full_name() or u.get_username()) for u in colleagues
        ]

    def service_kwargs(self) -> dict:
        return {"assignee": self.cleaned_data["user"]}


class GradeForm(ReviewActionForm):
    severity = forms.ChoiceField(label=_("Level"), choices=())
    reason = forms.CharField(
        label=_("Reason for the level"), required=False, widget=textarea(), max_length=TEXT_MAX
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["severity"].choices = [("", "—"), *Severity.choices]
        if self.report is not None and not self.is_bound:
            self.initial.setdefault("severity", self.report.severity)

    def service_kwargs(self) -> dict:
        return {"severity": self.cleaned_data["severity"], "reason": self.cleaned_data["reason"]}


class RequestInfoForm(ReviewActionForm):
    question = forms.CharField(
        label=_("What the operator must supply"),
        required=False,
        widget=textarea(4),
        max_length=TEXT_MAX,
    )
    due_at = datetime_field(_("Answer due by (optional)"))

    def service_kwargs(self) -> dict:
        return {"question": self.cleaned_data["question"], "due_at": self.cleaned_data["due_at"]}


class ForwardForm(ReviewActionForm):
    """Forwarding; on the general channel the reviewer also says which same-level
    departments are notified (pre-ticked: the province's configured ones), or why none."""

    note = forms.CharField(
        label=_("Note for the national tier (optional)"),
        required=False,
        widget=textarea(2),
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.report is None or self.report.channel != Channel.GENERAL:
            return
        configured = configured_same_level_departments(self.report)
        self.fields["same_level_departments"] = forms.MultipleChoiceField(
            label=_("Same-level departments notified at the same time (通报, Art. 4)"),
            required=False,
            choices=[(d.code, d.display_name) for d in configured],
            initial=[d.code for d in configured],
            widget=forms.CheckboxSelectMultiple,
            help_text=""
            if configured
            else _("No same-level department is configured for this province."),
        )
        self.fields["same_level_reason"] = forms.CharField(
            label=_("Or: why no same-level department is notified"),
            required=False,
            widget=textarea(2),
            max_length=TEXT_MAX,
        )
        # the form said which departments (a post without it, like an API call without the
        # fields, notifies the configured ones)
        self.fields["same_level_shown"] = forms.BooleanField(
            required=False, initial=True, widget=forms.HiddenInput
        )
        bootstrap(self)

    def service_kwargs(self) -> dict:
        kwargs = {"note": self.cleaned_data["note"]}
        if self.cleaned_data.get("same_level_shown"):
            kwargs["same_level_departments"] = self.cleaned_data["same_level_departments"]
            kwargs["same_level_reason"] = self.cleaned_data["same_level_reason"]
        return kwargs


class NotifyForm(ReviewActionForm):
    departments = forms.CharField(
        label=_("Departments notified"),
        required=False,
        widget=textarea(3),
        help_text=_("One per line, or separated by commas."),
    )

    def service_kwargs(self) -> dict:
        names = DEPARTMENT_SEPARATORS.split(self.cleaned_data["departments"] or "")
        return {"departments": [n.strip() for n in names if n.strip()]}


class FindingForm(ReviewActionForm):
    kind = forms.ChoiceField(label=_("Finding"), choices=())
    reason = forms.CharField(
        label=_("Reason for the finding"), required=False, widget=textarea(), max_length=TEXT_MAX
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "—"), *Finding.Kind.choices]

    def service_kwargs(self) -> dict:
        return {"kind": self.cleaned_data["kind"], "reason": self.cleaned_data["reason"]}


class CloseForm(ReviewActionForm):
    reason = forms.CharField(
        label=_("Reason for closing"), required=False, widget=textarea(), max_length=TEXT_MAX
    )

    def service_kwargs(self) -> dict:
        return {"reason": self.cleaned_data["reason"]}


class RequireForm(ServiceErrorsMixin, forms.Form):
    """An authority records an incident learned of elsewhere and requires the report."""

    label_model = Report

    organization = forms.IntegerField(
        label=_("Organisation"), widget=forms.HiddenInput, required=False
    )
    title = forms.CharField(label=_("What happened (a few words)"), required=False)
    note = forms.CharField(
        label=_("How the incident became known, and what is required"),
        required=False,
        widget=textarea(4),
        max_length=TEXT_MAX,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
