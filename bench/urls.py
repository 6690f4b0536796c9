"""The portal's URLs plus a bare Django POST endpoint: the yardstick `bench/submissions.py`
compares report submissions with (same server, same middleware, no database)."""

import json

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as portal_urlpatterns


@csrf_exempt
def bare_post(request):
    body = json.loads(request.body or b"{}")
    return JsonResponse({"received": len(body)}, status=201)


urlpatterns = [path("bench/bare/", bare_post), *portal_urlpatterns]
