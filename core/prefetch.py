"""What a service has just written of a model instance's relations, for the caller that
answers with the instance (an API command's response), so that the answer needs no read
back. The instance's own relation managers are left alone: they read the database as
usual until the caller applies what was noted."""


def note_written(instance, **relations) -> None:
    """Record complete relations: a list for a many-side relation (everything it holds,
    in the relation's order), an object or None for a single one."""
    instance.written = {**getattr(instance, "written", {}), **relations}


def apply_written(instance, many=None) -> None:
    """Fill the instance's caches (as `prefetch_related` / `select_related` would) from what
    `note_written` recorded: every single relation, and the many-side ones named in `many`
    (None: all of them; filling one costs a related manager and a filtered queryset, so an
    answer that reads few names them)."""
    for name, value in getattr(instance, "written", {}).items():
        if not isinstance(value, list | tuple):
            instance._state.fields_cache[name] = value
        elif many is None or name in many:
            remember_related(instance, name, value)


def remember_related(instance, name: str, objects) -> None:
    """Fill the prefetch cache of the many-side relation `name` with `objects`: everything
    it holds, in its order (as `prefetch_related` would)."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


def knows_related(instance, name: str) -> bool:
    return name in getattr(instance, "_prefetched_objects_cache", {})
