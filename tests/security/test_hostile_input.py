"""Hostile input never reaches a 500 (issue 14): NUL bytes in query parameters and JSON
bodies, huge page numbers, out-of-range and malformed dates, over every list, filter,
statistics and export endpoint, found from the URL conf (a new one is swept without being
named here). Each answer is 2xx, 400 or 404; a refusal says what was wrong."""

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

# Every query parameter a list, filter, statistics or export endpoint reads.
PARAMETERS = (
    "page",
    "per_page",
    "page_size",
    "tab",
    "status",
    "tier",
    "channel",
    "severity",
    "province",
    "sector",
    "level",
    "category",
    "overdue",
    "q",
    "organization",
    "org_q",
    "submitted_from",
    "submitted_to",
    "date_from",
    "date_to",
    "unread",
)
DATE_PARAMETERS = ("date_from", "date_to", "submitted_from", "submitted_to")
SKIPPED_PREFIXES = ("admin/", "api/schema/", "api/docs/", "i18n/", "accounts/logout/")


def _routes(patterns=None, prefix=""):
    """(route, url name) of every parameterless GET route of the portal's own URL conf."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = f"{p.namespace}:" if p.namespace else ""
            for route, name in _routes(p.url_patterns, prefix + str(p.pattern)):
                yield route, (ns + name) if name else None
        elif isinstance(p, URLPattern) and p.name:
            route = prefix + str(p.pattern)
            if route.startswith(SKIPPED_PREFIXES) or "<" in route or "(?P" in route:
                continue
            yield route, p.name


LIST_ROUTES = sorted({name for _route, name in _routes()})
EXPORTS = [
    reverse("dashboard:export", kwargs={"table": t, "fmt": f})
    for t in ("reports", "compliance")
    for f in ("csv", "xlsx")
]
USERS = ("reviewer-gd", "national")  # receiving and national staff: every list is theirs

TEXT_PARAMETERS = ("q", "organization", "org_q", "province", "sector", "category")
HOSTILE = [
    {name: "ab\x00c" for name in PARAMETERS},
    *[{name: "ab\x00c"} for name in TEXT_PARAMETERS],
    {"\x00": "x"},
    {"page": str(10**20)},
    {"page": "-1"},
    {"per_page": str(10**20)},
    {"page_size": str(10**20)},
    *[{name: value} for name in DATE_PARAMETERS for value in ("9999-12-31", "0001-01-01", "abc")],
    {"date_from": "0001-01-01", "date_to": "0001-01-05"},
    {"date_from": "9999-12-01", "date_to": "9999-12-31"},
    {"submitted_from": "9999-12-31", "submitted_to": "9999-12-31"},
]


def _urls():
    for name in LIST_ROUTES:
        try:
            yield reverse(name)
        except Exception:  # a route needing arguments is not a list
            continue
    yield from EXPORTS


def _check(response, url, query):
    status = response.status_code
    if url == reverse("health") and status == 503:
        return  # no sweep has run in the test database: stale, as it should say
    assert status < 500, (url, query, status)
    assert status in (200, 302, 400, 403, 404, 405), (url, query, status)
    if status == 400:
        body = response.content.decode("utf-8")
        assert body.strip(), (url, query, "a 400 without a message")
        assert "charset=utf-8" in response["Content-Type"].lower(), (url, response["Content-Type"])


@pytest.mark.parametrize("username", USERS)
def test_no_hostile_query_reaches_a_500_on_any_list(username, web_for, api_for, demo):
    web = web_for(username)
    api = api_for(username)
    urls = list(_urls())
    assert any(u.startswith("/api/v1/stats/") for u in urls)  # the sweep reaches the API
    assert any("/queue/" in u for u in urls) and any("tipoffs" in u for u in urls)
    for url in urls:
        client = api if url.startswith("/api/") else web
        for query in HOSTILE:
            _check(client.get(url, query), url, query)


def test_a_nul_byte_is_a_clear_400_on_pages_and_api(web_for, api_for):
    response = web_for("reviewer-gd").get(reverse("review:queue"), {"q": "x\x00"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    response = api_for("operator-general").get(
        reverse("reports-api:report-list"), {"province": "\x00"}
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "NUL" in json.dumps(response.json())


@pytest.mark.parametrize("page", [str(10**20), "99999"])
def test_a_page_past_the_end_is_a_404(web_for, page):
    for username, name in (
        ("reviewer-gd", "review:queue"),
        ("national", "review:national_queue"),
        ("reviewer-gd", "tipoffs:queue"),
        ("operator-general", "notifications:list"),
    ):
        response = web_for(username).get(reverse(name), {"page": page})
        assert response.status_code == 404, (name, response.status_code)


@pytest.mark.parametrize("year", ["9999", "0001"])
def test_years_out_of_range_in_the_statistics_are_a_field_error(api_for, year):
    response = api_for("national").get(
        reverse("dashboard-api:summary"), {"date_from": f"{year}-01-01", "date_to": f"{year}-01-02"}
    )
    assert response.status_code == 400
    assert "date_from" in response.json() or "date_to" in response.json()


def test_an_exports_400_is_readable_chinese(web_for):
    response = web_for("national").get(EXPORTS[0], {"date_from": "9999-12-31"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "日期" in response.content.decode("utf-8")


@pytest.mark.parametrize(
    "body",
    [
        {"title": "a\x00b"},
        {"category": "02\x0008"},
        {"organization": "\x00"},
        {"discovered_at": "2026-01-01T00:00:00\x00"},
        {"ti\x00tle": "x"},
    ],
)
def test_a_nul_byte_in_a_json_body_is_a_400(api_for, body):
    response = api_for("operator-general").post(
        reverse("reports-api:report-list"), body, format="json"
    )
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"


def test_a_3_mb_json_body_gets_a_json_400(api_for):
    body = json.dumps({"title": "x" * (3 * 1024 * 1024)})
    response = api_for("operator-general").post(
        reverse("reports-api:report-list"), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["detail"]
