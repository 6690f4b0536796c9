from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .selectors import sweep_status


@never_cache
@require_GET
def health(request):
    """Liveness of the clock keeper: the time of the last sweep (no login: it says nothing
    about any report). 503 when the sweep is stale, so a monitor can alert on it."""
    status = sweep_status()
    return JsonResponse(status, status=503 if status["stale"] else 200)
