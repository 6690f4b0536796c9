"""The portal's error pages: 400, 403, 404, 500 and the CSRF failure, in the portal's layout
and language, each with its reason in words. Under /api/ the answer is JSON, as from the API
itself (API clients never get an HTML page)."""

import logging

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _json(detail, status: int) -> JsonResponse:
    """The API's error shape, with its charset (Chinese reasons must never arrive garbled)."""
    return JsonResponse(
        {"detail": detail}, status=status, content_type="application/json; charset=utf-8"
    )


def _page(request, status: int, context: dict) -> HttpResponse:
    return HttpResponse(
        loader.render_to_string(
            f"{status}.html", {"status_code": status, **context}, request=request
        ),
        status=status,
    )


@requires_csrf_token
def bad_request(request, exception=None):
    if _is_api(request):
        return _json(_("Bad request."), 400)
    return _page(request, 400, {})


@requires_csrf_token
def permission_denied(request, exception=None):
    """The reason is the PermissionDenied's message (the views raise it in words)."""
    reason = str(exception) if exception is not None and str(exception) else ""
    if _is_api(request):
        return _json(reason or _("You do not have permission to do this."), 403)
    return _page(request, 403, {"reason": reason})


@requires_csrf_token
def page_not_found(request, exception=None):
    if _is_api(request):
        return _json(_("Not found."), 404)
    return _page(request, 404, {"request_path": request.path})


@requires_csrf_token
def server_error(request):
    if _is_api(request):
        return _json(_("Internal server error."), 500)
    try:
        return _page(request, 500, {})
    except Exception:  # the layout needs the database (menu, bell): a page without it
        logger.exception("The 500 page could not be drawn in the layout.")
        return HttpResponse(
            "<!doctype html><html lang='zh-hans'><meta charset='utf-8'>"
            "<title>服务器错误</title><h1>服务器内部错误（500）</h1>"
            "<p>处理您的请求时出错，已记录。请稍后重试；如仍有问题，请联系平台管理员。</p></html>",
            status=500,
        )


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: most often a page left open past the session's end, or cookies
    blocked. The technical reason is kept in small print for support."""
    if _is_api(request):
        return _json(_("CSRF check failed: %(reason)s") % {"reason": reason}, 403)
    return HttpResponse(
        loader.render_to_string(
            "403_csrf.html", {"status_code": 403, "reason": reason}, request=request
        ),
        status=403,
    )
