"""Reads the write path runs at every command, compiled by the ORM once per process and run
as raw queries with the one value that changes (docs/DECISIONS.md, "Departures from the house
style"): the ORM's compiling of a wide model's columns cost more CPU than running the query.
The rows come back through Django's raw-query machinery (`from_db`, the fields' converters),
as the ORM would give them."""

ID = -7_315_071  # stands for the value each run puts in (a negative id: never a real one)


def compile_read(queryset) -> tuple[str, tuple, int]:
    """The SQL and parameters of `queryset`, built with `ID` where each run puts its own
    value, and that value's place among the parameters."""
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    (at,) = (i for i, value in enumerate(params) if type(value) is int and value == ID)
    return sql, tuple(params), at


def run_read(model, alias: str, compiled: tuple[str, tuple, int], value) -> list:
    """The instances of `model` that the compiled read finds for `value`, on `alias`."""
    sql, params, at = compiled
    params = (*params[:at], value, *params[at + 1 :])
    return list(model._default_manager.db_manager(alias).raw(sql, params))
