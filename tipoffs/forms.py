from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Province
from core.fields import TEXT_MAX
from core.forms import ServiceErrorsMixin, bootstrap, textarea
from reports.models import Report


class TipOffForm(ServiceErrorsMixin, forms.Form):
    """The public tip-off form. `website` is a honeypot (hidden from people by CSS);
    `rendered_at` is the signed moment the form was shown."""

    label_model = Report  # errors on fields the form lacks are named as on a report

    title = forms.CharField(label=_("What happened, in a few words"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        widget=textarea(6),
        help_text=_("What you saw, when and where. Please do not paste links or phone numbers."),
    )
    organization_name = forms.CharField(
        label=_("Organisation involved (if known)"), max_length=200, required=False
    )
    province = forms.ChoiceField(label=_("Province"), required=False, choices=())
    contact = forms.CharField(
        label=_("How to reach you (optional)"),
        max_length=200,
        required=False,
        help_text=_("Leave it empty to stay anonymous."),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    rendered_at = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [
            ("", _("— not known —")),
            *((p.code, p.display_name) for p in Province.objects.order_by("code")),
        ]
        bootstrap(self)

    def service_data(self) -> dict:
        return {
            name: self.cleaned_data.get(name) or ""
            for name in ("title", "description", "organization_name", "province", "contact")
        }


class TipOffRecordForm(ServiceErrorsMixin, forms.Form):
    label_model = Report

    organization = forms.IntegerField(label=_("Organisation"), widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title of the required report"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].error_messages["required"] = _("Choose the organisation.")
        bootstrap(self)


class TipOffDismissForm(ServiceErrorsMixin, forms.Form):
    label_model = Report

    reason = forms.CharField(
        label=_("Reason for dismissing it"), widget=textarea(2), max_length=TEXT_MAX
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
