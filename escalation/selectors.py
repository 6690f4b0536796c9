from django.db import transaction

from .models import Deadline


def deadlines_due(*, now, limit: int = 200) -> list[int]:
    """Ids of clocks whose next reminder or action is due, skipping rows another worker
    holds (partial index on non-NULL `next_fire_at`)."""
    with transaction.atomic():
        return list(
            Deadline.objects.select_for_update(skip_locked=True)
            .filter(next_fire_at__lte=now)
            .order_by("next_fire_at")
            .values_list("pk", flat=True)[:limit]
        )
