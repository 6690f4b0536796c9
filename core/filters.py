"""Filter building blocks shared by the FilterSets of every app."""

from datetime import date

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


# Dates a filter accepts: a period the portal can hold and compute with (a day before or after
# Python's range, or a time zone shift at year 1, would otherwise be a 500).
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)


class BoundedDateField(forms.DateField):
    """A date from EARLIEST_DATE to LATEST_DATE; any other is a field error."""

    def validate(self, value):
        super().validate(value)
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise forms.ValidationError(
                _("Give a date from %(earliest)s to %(latest)s."),
                code="out_of_range",
                params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
            )


class BoundedDateFilter(django_filters.DateFilter):
    field_class = BoundedDateField
