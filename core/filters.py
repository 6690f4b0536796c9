"""Filter building blocks shared by the FilterSets of every app."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _


class StrictBooleanField(forms.NullBooleanField):
    """`true`/`false` (or 1/0, on/off); anything else is an error, not "no filter"."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        if str(value).lower() in ("true", "1", "on", "yes"):
            return True
        if str(value).lower() in ("false", "0", "off", "no"):
            return False
        raise forms.ValidationError(_("Give true or false."), code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        # A plain select: django-filter's BooleanWidget turns unknown values into "no filter".
        kwargs.setdefault(
            "widget", forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])
        )
        super().__init__(*args, **kwargs)
