"""The report's change log as people read it: for each historical record, the fields it
changed against the one before, with labels and readable values."""

from django.contrib.auth import get_user_model
from django.utils.text import capfirst

from core.formats import display_value
from reports.constants import Status
from reports.indicators import indicators_display
from reports.models import Report

# Field changes: what the timeline leaves out (the version counter, derived lists).
HISTORY_HIDDEN = ("version", "criteria_met")


def _display(field, value, related: dict) -> str:
    if value in (None, ""):
        return "—"
    if field.name == "indicators":
        return indicators_display(value)
    if field.is_relation:
        obj = related.get((field.related_model, value))
        if obj is None:
            return f"#{value}"
        if isinstance(obj, get_user_model()):
            return obj.get_full_name() or obj.get_username()
        return str(obj)
    return display_value(field, value)


def history_since_submission(records) -> list:
    """The records from the first one that is not a draft: what the authorities may read.
    A draft is the operator's own until it is submitted; text that existed only in a draft
    never reaches an authority, in a field's "from" value or anywhere else."""
    records = list(records)
    for i, record in enumerate(records):
        if record.status != Status.DRAFT:
            return records[i:]
    return []


def history_changes(records) -> list[dict]:
    """For each historical record, the fields it changed against the one before (who, when,
    from → to). The related objects named in the changes come in one query per model."""
    entries, previous = [], None
    for record in records:
        if previous is None:
            entries.append({"record": record, "created": True, "changes": []})
        else:
            delta = record.diff_against(previous, excluded_fields=HISTORY_HIDDEN)
            if delta.changes:
                entries.append({"record": record, "created": False, "changes": delta.changes})
        previous = record
    wanted: dict = {}
    for entry in entries:
        for change in entry["changes"]:
            field = Report._meta.get_field(change.field)
            if field.is_relation:
                ids = wanted.setdefault(field.related_model, set())
                ids.update(v for v in (change.old, change.new) if v not in (None, ""))
    related = {}
    for model, ids in wanted.items():
        for obj in model._default_manager.filter(pk__in=ids):
            related[(model, obj.pk)] = obj
    rows = []
    for entry in entries:
        record = entry["record"]
        rows.append(
            {
                "at": record.history_date,
                "user": record.history_user,
                "created": entry["created"],
                "reason": record.history_change_reason or "",
                "changes": [
                    {
                        "field": c.field,
                        "label": capfirst(Report._meta.get_field(c.field).verbose_name),
                        "old": _display(Report._meta.get_field(c.field), c.old, related),
                        "new": _display(Report._meta.get_field(c.field), c.new, related),
                    }
                    for c in entry["changes"]
                ],
            }
        )
    return rows
