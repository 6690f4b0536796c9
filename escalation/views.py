from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import Deadline, SweepHeartbeat


def sweep_status(now=None) -> dict:
    now = now or timezone.now()
    beat = SweepHeartbeat.objects.filter(pk=1).first()
    last = beat.last_run_at if beat else None
    stale_after = 3 * settings.ESCALATION_SWEEP_SECONDS + 5
    return {
        "last_sweep_at": last.isoformat() if last else None,
        "seconds_since_last_sweep": round((now - last).total_seconds(), 1) if last else None,
        "sweep_interval_seconds": settings.ESCALATION_SWEEP_SECONDS,
        "stale": last is None or (now - last).total_seconds() > stale_after,
        "overdue_clocks": Deadline.objects.filter(next_fire_at__lte=now).count(),
    }


@never_cache
@require_GET
def health(request):
    """Liveness of the clock keeper: the time of the last sweep (no login: it says nothing
    about any report). 503 when the sweep is stale, so a monitor can alert on it."""
    status = sweep_status()
    return JsonResponse(status, status=503 if status["stale"] else 200)
