"""History rows (django-simple-history) for writes that skip the per-save signal: several
rows, of one model, in one INSERT."""

from functools import cache

from django.conf import settings
from django.utils import timezone
from simple_history.utils import get_change_reason_from_object


@cache
def historical_model(model):
    """The historical model of `model` (`model.history.model` builds a new manager class at
    each reading, the costliest part of writing one row)."""
    return model.history.model


def history_create(model, changes) -> None:
    """`changes`: (instance, history_type) pairs — "+" created, "~" changed — of `model`,
    each saved with `skip_history_when_saving`. The same rows the signal would write (the
    request's user through the history middleware), in one query."""
    if not changes or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    historical = historical_model(model)
    now = timezone.now()
    rows = []
    for instance, history_type in changes:
        row = historical(
            history_date=getattr(instance, "_history_date", now),
            history_user=historical.get_default_history_user(instance),
            history_change_reason=get_change_reason_from_object(instance),
            history_type=history_type,
            **{
                field.attname: getattr(instance, field.attname)
                for field in historical.tracked_fields
            },
        )
        rows.append(row)
    historical.objects.bulk_create(rows)
