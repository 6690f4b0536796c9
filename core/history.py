"""History rows (django-simple-history) for writes that skip the per-save signal: the rows
as they are stored, copied inside the database (INSERT … SELECT), several in one statement."""

from functools import cache

from django.conf import settings
from django.db import connections, router
from django.utils import timezone
from simple_history.utils import get_change_reason_from_object


@cache
def historical_model(model):
    """The historical model of `model` (`model.history.model` builds a new manager class at
    each reading, the costliest part of writing one row)."""
    return model.history.model


def history_create(model, changes) -> None:
    """`changes`: (instance, history_type) pairs — "+" created, "~" changed — of `model`,
    each saved (with `skip_history_when_saving`) before this call. The rows the signal would
    write — the instance's tracked fields as saved, the request's user through the history
    middleware (or the instance's `_history_user`), its `_history_date` and change reason —
    in one statement for instances that share user, date and reason (a service's usual
    case), copied from the stored rows rather than built and sent field by field."""
    if not changes or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    historical = historical_model(model)
    now = timezone.now()
    groups: dict[tuple, dict] = {}
    for instance, history_type in changes:
        user = historical.get_default_history_user(instance)
        key = (
            getattr(instance, "_history_date", now),
            getattr(user, "pk", None),
            get_change_reason_from_object(instance),
        )
        groups.setdefault(key, {})[instance.pk] = history_type
    for (date, user_id, reason), types in groups.items():
        history_copy(model, types, date=date, user_id=user_id, reason=reason)


@cache
def _copy_columns(model, alias: str) -> tuple[str, str]:
    """The historical table's tracked columns, and the same read from the model's row `t`
    (written once per process, not at every copy)."""
    historical = historical_model(model)
    qn = connections[alias].ops.quote_name
    tracked = historical.tracked_fields
    columns = ", ".join(qn(historical._meta.get_field(f.name).column) for f in tracked)
    return columns, ", ".join(f"t.{qn(f.column)}" for f in tracked)


def history_copy(
    model, types: dict, *, date=None, date_column: str | None = None, user_id=None, reason=None
) -> None:
    """One history row per stored row of `model`, copied in one INSERT … SELECT, in the order
    of their ids: `types` maps each row's pk to its history type ("+" or "~"); the rows' date
    is `date`, or each row's own `date_column`."""
    historical = historical_model(model)
    alias = router.db_for_write(historical)
    connection = connections[alias]
    qn = connection.ops.quote_name
    columns, copied = _copy_columns(model, alias)
    pk = f"t.{qn(model._meta.pk.column)}"
    pks = list(types)

    def among(values) -> tuple[str, list]:
        # A list of placeholders, not `= ANY(array)`: PostgreSQL plans the prepared statement
        # once for a list, but plans `ANY` again at each run (its generic plan guesses ten
        # rows where the custom plan knows one). A long list (a demo batch) as an array.
        if connection.vendor == "postgresql" and len(values) > 50:
            return f"{pk} = ANY(%s)", [list(values)]
        return f"{pk} IN ({', '.join(['%s'] * len(values))})", list(values)

    kinds = set(types.values())
    if len(kinds) == 1:
        type_sql, type_params = "%s", [kinds.pop()]
    else:
        created, created_params = among([k for k, v in types.items() if v == "+"])
        type_sql, type_params = f"CASE WHEN {created} THEN '+' ELSE '~' END", created_params
    date_sql, date_params = (f"t.{qn(date_column)}", []) if date_column else ("%s", [date])
    where, where_params = among(pks)
    sql = (
        f"INSERT INTO {qn(historical._meta.db_table)} ({columns}, {qn('history_date')},"
        f" {qn('history_change_reason')}, {qn('history_type')}, {qn('history_user_id')})"
        f" SELECT {copied}, {date_sql}, %s,"
        f" {type_sql}, %s FROM {qn(model._meta.db_table)} t WHERE {where} ORDER BY {pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*date_params, reason, *type_params, user_id, *where_params])
