"""Clocks in templates: durations, where a clock stands, live countdowns."""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core import formats

from ..constants import Kind
from ..rules import clock_state, pick_clock

register = template.Library()


@register.filter
def duration(value) -> str:
    """A timedelta as "1 天 2 小时 5 分钟" / "1 d 2 h 5 min" (rounded down to minutes)."""
    if value is None:
        return ""
    if not isinstance(value, timedelta):
        return str(value)
    return formats.duration(value)


@register.inclusion_tag("escalation/_clock.html")
def clock(report, kind: str, compact: bool = False, neutral: bool = False):
    """The report's clock of a kind (from its prefetched `deadlines`), as the law sees it.
    `neutral`: someone else's clock (an operator looking at the authority's forward clock):
    shown for information, not in a task's warning colour."""
    state = clock_state(pick_clock(report.deadlines.all(), kind), timezone.now())
    return {"clock": state, "kind": kind, "compact": compact, "neutral": neutral}


@register.simple_tag
def countdown(due_at, now=None):
    """A live countdown to `due_at` (static/js/countdown.js reads `data-due`); the server
    renders the same text for a page without JavaScript."""
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
        Kind.FILE: _("Filing"),
        Kind.FORWARD: _("Forward to national"),
        Kind.SUMMARY: _("Summary report"),
        Kind.INFO_REQUEST: _("Information requested"),
    }
    return labels.get(kind or "", kind or "")
