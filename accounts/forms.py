from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ServiceErrorsMixin


class ProviderGrantForm(ServiceErrorsMixin, forms.Form):
    """An operator's reporter lets a contracted service provider's account draft reports."""

    provider = forms.CharField(
        label=_("The service provider's username"),
        max_length=150,
        help_text=_("The account must already exist; the provider drafts, you submit."),
    )
    organization = forms.TypedChoiceField(label=_("Organisation"), coerce=int, choices=())

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.pk, o.name) for o in organizations]
        self.only = organizations[0].pk if len(organizations) == 1 else None
        if self.only is not None:
            self.fields["organization"].widget = forms.HiddenInput()
            self.fields["organization"].required = False
            self.initial.setdefault("organization", self.only)
        self.fields["provider"].widget.attrs.update(
            {"class": "form-control", "autocomplete": "off"}
        )
        self.fields["organization"].widget.attrs.setdefault("class", "form-select")

    def clean_organization(self):
        return self.cleaned_data.get("organization") or self.only
