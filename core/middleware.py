"""Request guards that run before any view (issue 14, "hostile input never 500")."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"


def nul_refusal(request):
    """A 400 naming the NUL character: JSON with a charset under /api/, plain text (UTF-8)
    elsewhere."""
    message = _("The request contains a NUL character (U+0000), which is not allowed.")
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {"detail": message}, status=400, content_type="application/json; charset=utf-8"
        )
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _has_nul(querydict) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in querydict.lists())


class RejectNulMiddleware:
    """PostgreSQL text cannot hold U+0000: a NUL byte in the path, the query string, a cookie,
    a header or a url-encoded form would reach the database as a DataError (500). Refused
    here with a 400 instead. (JSON bodies: `config.api.JSONParser`; multipart text fields:
    the forms' and serializers' own NUL validators.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._contains_nul(request):
            return nul_refusal(request)
        return self.get_response(request)

    @staticmethod
    def _contains_nul(request) -> bool:
        if NUL in request.path_info or _has_nul(request.GET):
            return True
        if any(NUL in k or NUL in v for k, v in request.COOKIES.items()):
            return True
        if any(k.startswith("HTTP_") and NUL in str(v) for k, v in request.META.items()):
            return True
        if request.method == "POST" and request.content_type == (
            "application/x-www-form-urlencoded"
        ):
            try:
                return _has_nul(request.POST)
            except Exception:  # too big or malformed: Django's own handling answers
                return False
        return False
