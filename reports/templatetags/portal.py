"""Display helpers for the portal's templates: durations, clocks and grading criteria."""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.constants import Severity
from reports.indicators import INDICATOR_BY_KEY

register = template.Library()


@register.filter
def duration(value) -> str:
    """A timedelta as "1 天 2 小时 5 分钟" / "1 d 2 h 5 min" (rounded down to minutes)."""
    if value is None:
        return ""
    if not isinstance(value, timedelta):
        return str(value)
    minutes = int(abs(value).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d d") % {"n": days})
    if hours:
        parts.append(_("%(n)d h") % {"n": hours})
    if minutes or not parts:
        parts.append(_("%(n)d min") % {"n": minutes})
    return " ".join(parts)


def clock_state(deadline, now=None) -> dict | None:
    """Where a clock stands: met / late (legal lateness, against the statutory limit) /
    open with time left / overdue / no longer required."""
    if deadline is None:
        return None
    now = now or timezone.now()
    outcome = deadline.outcome
    if outcome == "not_required":
        state, delta = "not_required", None
    elif deadline.met_at is not None:
        if deadline.met_at > deadline.statutory_due_at:
            state, delta = "late", deadline.met_at - deadline.statutory_due_at
        else:
            state, delta = "met", None
    elif now > deadline.statutory_due_at:
        state, delta = "overdue", now - deadline.statutory_due_at
    else:
        state, delta = "open", deadline.statutory_due_at - now
    return {
        "deadline": deadline,
        "state": state,
        "delta": delta,
        "due_at": deadline.statutory_due_at,
        "internal_due_at": deadline.due_at
        if deadline.due_at != deadline.statutory_due_at
        else None,
        "met_at": deadline.met_at,
    }


def pick_clock(report, kind: str):
    """The clock of a kind that matters: the open one, else the latest met, else the latest.
    Uses the prefetched `deadlines` (no query per row)."""
    clocks = [d for d in report.deadlines.all() if d.kind == kind]
    if not clocks:
        return None
    clocks.sort(key=lambda d: (d.opened_at, d.pk))
    live = [d for d in clocks if d.outcome == "open"]
    if live:
        return live[-1]
    required = [d for d in clocks if d.outcome != "not_required"]
    return (required or clocks)[-1]


@register.inclusion_tag("reports/_clock.html")
def clock(report, kind: str, compact: bool = False):
    return {"clock": clock_state(pick_clock(report, kind)), "kind": kind, "compact": compact}


@register.filter
def indicator_label(key: str) -> str:
    spec = INDICATOR_BY_KEY.get(key)
    return str(spec.label) if spec else key


@register.filter
def severity_label(value: str) -> str:
    try:
        return str(Severity(value).label)
    except ValueError:
        return value or ""


@register.filter
def threshold_label(criterion: dict) -> str:
    """ "≥ 1000000 people" or, for a qualitative criterion, the level it asserts."""
    from reports.forms import UNIT_LABELS

    unit = criterion.get("unit", "")
    threshold = criterion.get("threshold", "")
    if unit == "choice":
        return severity_label(threshold)
    label = UNIT_LABELS.get(unit, unit)
    return f"≥ {threshold} {label}".strip()


@register.filter
def severity_badge(value: str) -> str:
    return {
        "especially_major": "text-bg-danger",
        "major": "text-bg-warning",
        "significant": "text-bg-info",
        "general": "text-bg-secondary",
    }.get(value or "", "text-bg-light")


@register.filter
def status_badge(value: str) -> str:
    return {
        "draft": "text-bg-light border",
        "submitted": "text-bg-primary",
        "in_review": "text-bg-info",
        "awaiting_operator": "text-bg-warning",
        "closed": "text-bg-secondary",
    }.get(value or "", "text-bg-light")


@register.simple_tag
def countdown(due_at, now=None):
    """A live countdown to `due_at` (static/js/countdown.js reads `data-due`); the server
    renders the same text for a page without JavaScript."""
    from django.utils.html import format_html

    if due_at is None:
        return format_html('<span class="text-muted">—</span>')
    now = now or timezone.now()
    left = due_at - now
    if left.total_seconds() < 0:
        text = _("overdue by %(delta)s") % {"delta": duration(-left)}
        css = "countdown countdown-overdue"
    else:
        text = _("%(delta)s left") % {"delta": duration(left)}
        css = "countdown"
    return format_html(
        '<span class="{}" data-due="{}" data-label-left="{}" data-label-overdue="{}" '
        'data-label-days="{}" title="{}">{}</span>',
        css,
        due_at.isoformat(),
        _("left"),
        _("overdue by"),
        _("d"),
        timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M"),
        text,
    )


@register.filter
def deadline_kind_label(kind: str) -> str:
    labels = {
        "file": _("Filing"),
        "forward": _("Forward to national"),
        "summary": _("Summary report"),
        "info_request": _("Information requested"),
    }
    return labels.get(kind or "", kind or "")
