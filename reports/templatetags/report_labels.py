"""Labels of a report's values in templates: levels, statuses, grading criteria."""

from django import template

from ..constants import Severity, Status
from ..indicators import INDICATOR_BY_KEY, UNIT_LABELS, indicator_value_label

register = template.Library()


@register.filter
def indicator_label(key: str) -> str:
    spec = INDICATOR_BY_KEY.get(key)
    return str(spec.label) if spec else key


@register.filter
def person(user) -> str:
    """A person by name (the username only when no name is recorded)."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@register.filter
def indicator_value(value, key: str) -> str:
    """An indicator's value in words (a choice's label, not its code)."""
    return indicator_value_label(key, value)


@register.filter
def severity_label(value: str) -> str:
    try:
        return str(Severity(value).label)
    except ValueError:
        return value or ""


@register.filter
def threshold_label(criterion: dict) -> str:
    """ "≥ 1000000 people" or, for a qualitative criterion, the level it asserts."""
    unit = criterion.get("unit", "")
    threshold = criterion.get("threshold", "")
    if unit == "choice":
        return severity_label(threshold)
    label = UNIT_LABELS.get(unit, unit)
    return f"≥ {threshold} {label}".strip()


@register.filter
def severity_badge(value: str) -> str:
    return {
        Severity.ESPECIALLY_MAJOR: "text-bg-danger",
        Severity.MAJOR: "text-bg-warning",
        Severity.SIGNIFICANT: "text-bg-info",
        Severity.GENERAL: "text-bg-secondary",
    }.get(value or "", "text-bg-light")


@register.filter
def status_badge(value: str) -> str:
    return {
        Status.DRAFT: "text-bg-light border",
        Status.SUBMITTED: "text-bg-primary",
        Status.IN_REVIEW: "text-bg-info",
        Status.AWAITING_OPERATOR: "text-bg-warning",
        Status.CLOSED: "text-bg-secondary",
    }.get(value or "", "text-bg-light")
