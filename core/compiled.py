"""Reads the write path runs at every command, compiled by the ORM once per process and run
with the one value that changes (docs/DECISIONS.md, "Departures from the house style"): the
ORM's compiling of a wide model's columns cost more CPU than running the query. Each row
becomes an instance as the ORM's own iterable makes it: the compiler's select list, its
converters, `from_db`, the annotations set on the instance."""

from dataclasses import dataclass

from django.db import connections

ID = -7_315_071  # stands for the value each run puts in (a negative id: never a real one)


@dataclass(frozen=True)
class CompiledRead:
    model: type
    sql: str
    params: tuple
    at: int  # the place of the run's value among the parameters
    attnames: tuple  # the model's fields, in the order selected (they come first)
    converters: tuple  # (position, converters, expression), as the compiler applies them
    annotations: tuple  # (name, position)


def compile_read(queryset) -> CompiledRead:
    """`queryset` (built with `ID` where each run puts its own value, with no related model
    selected), compiled once."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    (at,) = (i for i, value in enumerate(params) if type(value) is int and value == ID)
    klass_info = compiler.klass_info
    assert not klass_info.get("related_klass_infos"), "no select_related in a compiled read"
    fields = klass_info["select_fields"]
    assert fields == list(range(len(fields))), fields  # the model's fields come first
    converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
    return CompiledRead(
        model=queryset.model,
        sql=sql,
        params=tuple(params),
        at=at,
        attnames=tuple(compiler.select[i][0].target.attname for i in fields),
        converters=tuple((pos, tuple(convs), col) for pos, (convs, col) in converters.items()),
        annotations=tuple(compiler.annotation_col_map.items()),
    )


def run_read(alias: str, compiled: CompiledRead, value) -> list:
    """The instances the compiled read finds for `value`, on `alias`."""
    connection = connections[alias]
    params = (*compiled.params[: compiled.at], value, *compiled.params[compiled.at + 1 :])
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        rows = cursor.fetchall()
    found, width = [], len(compiled.attnames)
    for row in rows:
        row = list(row)
        for pos, convs, expression in compiled.converters:
            for convert in convs:
                row[pos] = convert(row[pos], expression, connection)
        instance = compiled.model.from_db(alias, compiled.attnames, row[:width])
        for name, pos in compiled.annotations:
            setattr(instance, name, row[pos])
        found.append(instance)
    return found
