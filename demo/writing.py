"""Writing demo rows in bulk: COPY on PostgreSQL (several times faster than
`bulk_create`), ids reserved from the table's sequence; `bulk_create` on the embedded SQLite
run. (Their history rows are copied inside the database: `core.history.history_copy`.)"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.models import JSONField
from psycopg.types.json import Jsonb


@contextmanager
def explicit_timestamps(model, *names: str) -> Iterator[None]:
    """Let bulk_create store past `created_at`/`updated_at` values (auto_now would
    overwrite them with the current time)."""
    fields = [model._meta.get_field(name) for name in names]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def reserve_ids(model, objs: list) -> None:
    """Give the new rows their ids from the table's own sequence before they are written
    (COPY returns none), so that their events and clocks can point at them."""
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk


def copy_rows(model, objs: list, *, with_ids: bool = False) -> None:
    """Write the rows with PostgreSQL's COPY: the instances' attributes as they are (the demo
    sets every timestamp itself), JSON adapted. Several times faster than `bulk_create`,
    whose per-value preparation dominated a million-report seed. Elsewhere (the embedded
    SQLite run), `bulk_create`."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        with explicit_timestamps(model, *auto_timestamps(model)):
            model.objects.bulk_create(objs)
        return
    if with_ids:
        reserve_ids(model, objs)
    fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
    qn = connection.ops.quote_name
    json_fields = [isinstance(f, JSONField) for f in fields]
    attnames = [f.attname for f in fields]
    sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objs:
            copy.write_row(
                [
                    Jsonb(value) if is_json and value is not None else value
                    for value, is_json in zip(
                        (getattr(obj, name) for name in attnames), json_fields, strict=True
                    )
                ]
            )


def auto_timestamps(model) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
