"""Saving only the columns that changed since a row was read (docs/ARCHITECTURE.md, "The
write path"): an UPDATE of the few columns a service changed instead of all sixty of a
report, with the values the row was read with kept by Django's documented `from_db` hook
("Customizing model loading")."""

from functools import cache

from django.db import DatabaseError, connections, models, router


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
    saved becomes what the row holds, for the next save. The services that call it write the
    history row themselves, so the UPDATE of a row read before is written directly, without
    `save()`'s signals: the statement is built once per process for each set of columns
    (Django's `save()` built two querysets and compiled the UPDATE at every call, two thirds
    of its cost); the values are prepared by each field as `save()` prepares them."""
    names = changed_fields(instance)
    if names is None or not _update(instance, names):
        instance.save(update_fields=names)
    if getattr(instance, "_loaded_values", None) is not None:
        instance._loaded_values = {
            field.attname: getattr(instance, field.attname)
            for field in instance._meta.concrete_fields
            if field.attname in instance._loaded_values
        }


def _update(instance, names: list[str]) -> bool:
    """The UPDATE of `names` (`save(update_fields=names)` without its signals); False, with
    nothing written, for a value `save()` must handle itself (an expression, a field with its
    own placeholder)."""
    model, meta = type(instance), instance._meta
    fields = [meta.get_field(name) for name in names]
    if any(hasattr(field, "get_placeholder") for field in fields):
        return False
    values = [field.pre_save(instance, False) for field in fields]  # `auto_now` sets the time
    if any(
        hasattr(value, "resolve_expression") or hasattr(value, "prepare_database_save")
        for value in values
    ):
        return False
    alias = router.db_for_write(model, instance=instance)
    connection = connections[alias]
    params = [
        field.get_db_prep_save(value, connection=connection)
        for field, value in zip(fields, values, strict=True)
    ]
    params.append(meta.pk.get_db_prep_value(instance.pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(_update_sql(model, tuple(names), alias), params)
        if cursor.rowcount < 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")
    instance._state.adding = False
    instance._state.db = alias
    return True


@cache
def _update_sql(model, names: tuple, alias: str) -> str:
    qn = connections[alias].ops.quote_name
    meta = model._meta
    columns = ", ".join(f"{qn(meta.get_field(name).column)} = %s" for name in names)
    return f"UPDATE {qn(meta.db_table)} SET {columns} WHERE {qn(meta.pk.column)} = %s"
