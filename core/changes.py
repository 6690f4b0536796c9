"""Saving only the columns that changed since a row was read (docs/ARCHITECTURE.md, "The
write path"): an UPDATE of the few columns a service changed instead of all sixty of a
report, with the values the row was read with kept by Django's documented `from_db` hook
("Customizing model loading")."""

from django.db import models


class TracksChanges:
    """Model mixin (before the model's base): each instance read from the database remembers
    the values it was read with."""

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = dict(zip(field_names, values, strict=True))
        return instance


def changed_fields(instance) -> list[str] | None:
    """The names of the fields whose value differs from the one the row was read with, plus
    the `auto_now` fields and the JSON fields (a dict or list may have been changed in place);
    None (every field) for an instance that was not read from the database."""
    loaded = getattr(instance, "_loaded_values", None)
    if loaded is None or instance._state.adding:
        return None
    names = []
    for field in instance._meta.concrete_fields:
        if field.primary_key:
            continue
        attname = field.attname
        if attname not in loaded:  # deferred when read: changed only if set since
            if attname in instance.__dict__:
                names.append(field.name)
        elif (
            getattr(field, "auto_now", False)
            or isinstance(field, models.JSONField)
            or getattr(instance, attname) != loaded[attname]
        ):
            names.append(field.name)
    return names


def save_changed(instance) -> None:
    """`instance.save()` of the fields that changed (all of them for a new instance); what is
    saved becomes what the row holds, for the next save."""
    instance.save(update_fields=changed_fields(instance))
    if getattr(instance, "_loaded_values", None) is not None:
        instance._loaded_values = {
            field.attname: getattr(instance, field.attname)
            for field in instance._meta.concrete_fields
            if field.attname in instance._loaded_values
        }
