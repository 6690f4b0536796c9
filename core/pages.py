"""Small helpers for server-rendered pages."""

import ipaddress

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

DEFAULT_PAGE_SIZE = 20
PAGE_SIZES = (10, 20, 50, 100)


class LitePage:
    """A page of a queryset that needs no COUNT(*): it fetches one row more than it shows to
    know whether there is a next page. Over an indexed ordering, page 1 costs the same with
    a thousand reports or a million. A page past the end (page 1 aside) is a 404, as with
    Django's paginator; a page number no database offset can hold is one too."""

    MAX_NUMBER = 10**9

    def __init__(self, queryset, number, per_page: int = DEFAULT_PAGE_SIZE):
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            number = 1
        if number > self.MAX_NUMBER:
            raise Http404(_("There is no page %(number)s.") % {"number": number})
        offset = (number - 1) * per_page
        rows = list(queryset[offset : offset + per_page + 1])
        if number > 1 and not rows:
            raise Http404(_("There is no page %(number)s.") % {"number": number})
        self.object_list = rows[:per_page]
        self.number = number
        self.has_next = len(rows) > per_page
        self.has_previous = number > 1
        self.next_page_number = number + 1
        self.previous_page_number = number - 1
        self.start_index = offset + 1 if self.object_list else 0

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def page_size(request) -> int:
    """The `per_page` the request asks for, if it is one of PAGE_SIZES."""
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def safe_next_url(request, target: str, fallback: str) -> str:
    """`target` if it stays on this site, else `fallback` (no open redirect)."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def download_response(file, filename: str, content_type: str) -> FileResponse:
    """A stored file as a download the browser never renders: nosniff, and a sandboxing
    Content-Security-Policy for the response itself."""
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


def client_address(request) -> str:
    """The client's address. Behind `TRUSTED_PROXY_COUNT` reverse proxies (each appending the
    address it received from to X-Forwarded-For), it is the entry that many places from the
    end: what the client wrote itself, further left, is not trusted. With no proxy (the
    default, 0), REMOTE_ADDR; likewise when the header is missing or malformed."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
