"""Form helpers shared by every app's web forms. Forms parse and type-check input only;
the services decide, and their field-level `ValidationError`s come back onto the form
through `ServiceErrorsMixin.add_service_errors`."""

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
DATETIME_INPUT_FORMATS = [
    DATETIME_LOCAL,
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
]


def bootstrap(form: forms.Form) -> None:
    """Bootstrap 5 classes on the widgets."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        classes = widget.attrs.get("class", "").split()
        if css not in classes:
            widget.attrs["class"] = " ".join([*classes, css])


def textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def datetime_field(label, **kwargs) -> forms.DateTimeField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("help_text", _("Beijing time (Asia/Shanghai)."))
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        **kwargs,
    )


def model_field_label(model, name: str | None) -> str:
    """The verbose name of a model field, for an error the form has no field for."""
    if name in ("__all__", None) or model is None:
        return ""
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # an unknown key is shown as is
        return name


class ServiceErrorsMixin:
    """`add_service_errors(exc)`: a service's field errors next to the form's fields (renamed
    through `SERVICE_FIELD_MAP`); errors on fields the form lacks go on top, with the label
    of the `label_model` field they name."""

    SERVICE_FIELD_MAP: dict = {}
    label_model = None

    def add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for field, errors in exc.message_dict.items():
            target = self.SERVICE_FIELD_MAP.get(field, field)
            for message in errors:
                if target in self.fields and target != "version":
                    self.add_error(target, message)
                else:
                    label = model_field_label(self.label_model, field)
                    self.add_error(None, f"{label}: {message}" if label else message)


class ActionForm(ServiceErrorsMixin, forms.Form):
    """An action on a report: carries the `version` the report was read at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, report=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        if report is not None and not self.is_bound:
            self.initial.setdefault("version", report.version)
        bootstrap(self)

    def service_kwargs(self) -> dict:
        """The keyword arguments the service takes, besides user, pk and version."""
        return {}
