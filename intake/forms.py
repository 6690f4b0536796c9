"""The intake officer's compact form: a report received by telephone, e-mail, fax or
WeChat (the organisation by its code, Art. 7 items 1–2, the caller, the route and the
instant of receipt). It parses input only; `intake_report_record` decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Province, Sector
from core.fields import TEXT_MAX
from core.forms import ServiceErrorsMixin, bootstrap, datetime_field, textarea
from reports.constants import STAFF_ROUTES, ReceivedVia, Severity
from reports.forms import category_choices
from reports.models import Report

ITEM_FIELDS = (
    "title",
    "affected_systems",
    "involves_cii",
    "cii_untick_reason",
    "discovered_at",
    "occurred_at",
    "location",
    "category",
    "severity_declared",
    "impact_description",
    "measures_taken",
    "late_reason",
)
STAFF_ROUTE_CHOICES = [(v, label) for v, label in ReceivedVia.choices if v in STAFF_ROUTES]


class IntakeReportForm(ServiceErrorsMixin, forms.Form):
    label_model = Report

    received_via = forms.ChoiceField(label=_("Received via"), choices=STAFF_ROUTE_CHOICES)
    received_at = datetime_field(
        _("Received at"),
        help_text=_(
            "Beijing time. The start of the call, or when the message arrived; the filing "
            "deadline is judged on it. Empty: now."
        ),
    )
    caller_name = forms.CharField(label=_("Caller's or sender's name"), max_length=200)
    caller_contact = forms.CharField(
        label=_("Caller's or sender's contact (telephone, e-mail)"), max_length=200
    )
    organization_code = forms.CharField(
        label=_("Unified social credit code of the organisation"), max_length=18
    )
    organization_name = forms.CharField(
        label=_("Organisation's name (only if the portal does not know the code)"),
        required=False,
        max_length=200,
    )
    organization_province = forms.ModelChoiceField(
        label=_("Organisation's province (only if new)"),
        queryset=Province.objects.all(),
        required=False,
    )
    organization_sector = forms.ModelChoiceField(
        label=_("Organisation's CII sector (only if new; optional)"),
        queryset=Sector.objects.all(),
        required=False,
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    affected_systems = forms.CharField(
        label=_("System or facility involved (basic facts)"),
        required=False,
        widget=textarea(2),
        max_length=TEXT_MAX,
    )
    involves_cii = forms.BooleanField(
        label=_("Involves critical information infrastructure"), required=False
    )
    cii_untick_reason = forms.CharField(
        label=_("Why the incident does not involve the operator's CII (CII operators only)"),
        required=False,
        widget=textarea(2),
        max_length=TEXT_MAX,
    )
    discovered_at = datetime_field(_("Discovered or learned of at"))
    occurred_at = datetime_field(_("Occurred at"))
    location = forms.CharField(label=_("Place"), max_length=500, required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    severity_declared = forms.ChoiceField(label=_("Declared level"), required=False)
    impact_description = forms.CharField(
        label=_("Impact and harm so far"), required=False, widget=textarea(2), max_length=TEXT_MAX
    )
    measures_taken = forms.CharField(
        label=_("Measures taken and their effect"),
        required=False,
        widget=textarea(2),
        max_length=TEXT_MAX,
    )
    late_reason = forms.CharField(
        label=_("Reason for late submission (when the filing limit had passed at receipt)"),
        required=False,
        widget=textarea(2),
        max_length=TEXT_MAX,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["severity_declared"].choices = [("", "—"), *Severity.choices]
        bootstrap(self)

    def service_kwargs(self) -> dict:
        cleaned = self.cleaned_data
        data = {name: cleaned.get(name) for name in ITEM_FIELDS}
        data["category"] = data["category"] or None
        return {
            "organization_code": cleaned["organization_code"],
            "organization_name": cleaned.get("organization_name") or "",
            "organization_province": cleaned.get("organization_province"),
            "organization_sector": cleaned.get("organization_sector"),
            "data": data,
            "via": cleaned["received_via"],
            "received_at": cleaned.get("received_at"),
            "caller_name": cleaned["caller_name"],
            "caller_contact": cleaned["caller_contact"],
        }


class AddToReportForm(ServiceErrorsMixin, forms.Form):
    reference = forms.CharField(
        label=_("Reference of the report (CSIR-YYYY-NNNNNN)"), max_length=32
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class DismissForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why it is dismissed"), widget=textarea(2), max_length=TEXT_MAX, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
