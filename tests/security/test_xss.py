"""XSS: a payload in every text field of a report, a follow-up, a summary report, a tip-off,
a notified department's name and an organisation's name is shown escaped on every page that
shows it — the report page, the operator's list, the review and national queues, the tip-off
triage, the notifications, the dashboard — and the exports neutralise formulas (CSV
injection)."""

import csv
import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.contents import SUMMARY_FIELDS
from reports.services.drafting import report_create
from reports.services.followups import report_followup, report_handling_ended, report_summary
from reports.services.submission import report_submit
from review.services.forwarding import report_forward, report_notify
from review.services.requests import report_request_info
from review.services.triage import report_claim, report_grade
from tipoffs.models import TipOff
from tipoffs.services import tipoff_dismiss, tipoff_submit

from .conftest import report_data

PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORMULAS = ('=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)")

REPORT_TEXT_FIELDS = (
    "title",
    "affected_systems",
    "location",
    "impact_description",
    "measures_taken",
    "trend",
    "cause",
    "attack_clues",
    "planned_measures",
    "support_requested",
    "scene_preservation",
    "other",
    "emergency_plan",
    "protective_measures",
)
FOLLOWUP_TEXT_FIELDS = (
    "body",
    "trend",
    "cause",
    "attack_clues",
    "planned_measures",
    "support_requested",
    "scene_preservation",
    "other",
)
TAG_WITH_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


class _Elements(HTMLParser):
    """What a browser would build: elements and their attributes (text inside an attribute
    value stays text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.handlers: list = []
        self.inline_scripts: list = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.handlers += [(tag, name) for name, _value in attrs if name.startswith("on")]
        self._in_script = tag == "script" and not dict(attrs).get("src")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


def assert_escaped(html: str, where: str) -> None:
    assert "<script>alert(1)" not in html, where
    assert "<img src=x" not in html, where
    parser = _Elements()
    parser.feed(html)
    assert not parser.handlers, (where, parser.handlers)  # no onerror= / onclick= … at all
    assert not parser.inline_scripts, (where, parser.inline_scripts)  # and no inline script


@pytest.fixture
def hostile(demo, now):
    """One report carrying the payload everywhere, taken through the whole workflow to the
    national tier, a second one whose texts start like formulas, and hostile tip-offs."""
    operator, reviewer, national = (
        demo["operator-general"],
        demo["reviewer-gd"],
        demo["national"],
    )
    org = operator.memberships.get().organization
    org.name = PAYLOAD
    org.save()

    at = iter(now + timedelta(minutes=m) for m in range(1, 100))
    data = report_data(
        now, **{name: PAYLOAD for name in REPORT_TEXT_FIELDS}, severity_declared="major"
    )
    report = report_create(user=operator, data=data, now=now)
    report = report_submit(user=operator, pk=report.pk, now=next(at))
    report_claim(user=reviewer, pk=report.pk, now=next(at))
    report_grade(user=reviewer, pk=report.pk, severity="major", reason=PAYLOAD, now=next(at))
    report_request_info(user=reviewer, pk=report.pk, question=PAYLOAD, now=next(at))
    report_followup(
        user=operator,
        pk=report.pk,
        data={"kind": "supplement", **{name: PAYLOAD for name in FOLLOWUP_TEXT_FIELDS}},
        now=next(at),
    )
    report_notify(user=reviewer, pk=report.pk, departments=[PAYLOAD], now=next(at))
    report_forward(user=reviewer, pk=report.pk, note=PAYLOAD, now=next(at))
    report_handling_ended(user=operator, pk=report.pk, handling_ended_at=next(at), now=next(at))
    report_summary(
        user=operator, pk=report.pk, data=dict.fromkeys(SUMMARY_FIELDS, PAYLOAD), now=next(at)
    )
    report_notify(user=national, pk=report.pk, departments=[PAYLOAD], now=next(at))

    formula = report_create(
        user=operator,
        data=report_data(
            now,
            title=FORMULAS[0],
            location=FORMULAS[1],
            affected_systems=FORMULAS[2],
            severity_declared="major",
        ),
        now=now,
    )
    formula = report_submit(user=operator, pk=formula.pk, now=next(at))
    report_forward(user=reviewer, pk=formula.pk, now=next(at))  # to the national tier

    # a second one that stays in the receiving authority's queue
    pending = report_create(
        user=operator, data={**data, "severity_declared": "significant"}, now=now
    )
    pending = report_submit(user=operator, pk=pending.pk, now=next(at))

    tipoff_data = {
        "title": PAYLOAD,
        "description": f"{PAYLOAD} 某网站首页被篡改",
        "organization_name": PAYLOAD,
        "province": "440000",
        "contact": PAYLOAD,
    }
    tipoff = tipoff_submit(
        data=tipoff_data, address="203.0.113.1", rendered_at=now.timestamp(), now=next(at)
    )
    dismissed = tipoff_submit(
        data=tipoff_data, address="203.0.113.2", rendered_at=now.timestamp(), now=next(at)
    )
    tipoff_dismiss(user=national, pk=dismissed.pk, reason=PAYLOAD, now=next(at))
    return {
        "report": report,
        "pending": pending,
        "formula": formula,
        "tipoff": tipoff,
        "dismissed": dismissed,
    }


def _pages(hostile):
    report, tipoff, dismissed = hostile["report"], hostile["tipoff"], hostile["dismissed"]
    detail = reverse("review:report", args=[report.pk])
    queue_tabs = [f"{reverse('review:queue')}?tab={t}" for t in services_tabs("receiving")]
    national_tabs = [
        f"{reverse('review:national_queue')}?tab={t}" for t in services_tabs("national")
    ]
    tipoff_pages = [
        reverse("tipoffs:queue"),
        f"{reverse('tipoffs:queue')}?status=dismissed",
        reverse("tipoffs:detail", args=[tipoff.pk]),
        reverse("tipoffs:detail", args=[dismissed.pk]),
    ]
    pages = {
        "operator-general": [
            detail,
            reverse("reports:list"),
            reverse("notifications:list"),
            reverse("providers"),
        ],
        "reviewer-gd": [
            detail,
            reverse("home"),
            *queue_tabs,
            reverse("notifications:list"),
            *tipoff_pages,
        ],
        "national": [
            detail,
            *national_tabs,
            reverse("notifications:list"),
            *tipoff_pages,
        ],
    }
    if dashboard_exists():
        period = dashboard_period()
        pages["national"].append(f"{reverse('dashboard:index')}?{period}")
        pages["reviewer-gd"].append(f"{reverse('dashboard:index')}?{period}")
    return pages


def services_tabs(which: str):
    from review.selectors import NATIONAL_TABS, RECEIVING_TABS

    return NATIONAL_TABS if which == "national" else RECEIVING_TABS


def dashboard_exists() -> bool:
    from importlib.util import find_spec

    return find_spec("dashboard.urls") is not None


def dashboard_period() -> str:
    today = timezone.localdate()
    return f"date_from=2026-11-01&date_to={today.isoformat()}"


def test_the_payload_is_escaped_on_every_page(hostile, web_for):
    references = {hostile["report"].reference, hostile["pending"].reference}
    seen_escaped = set()
    seen_reference = set()
    for username, urls in _pages(hostile).items():
        client = web_for(username)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (username, url, response.status_code)
            html = response.content.decode()
            assert_escaped(html, f"{username} {url}")
            if ESCAPED in html:
                seen_escaped.add((username, url))
            if any(reference in html for reference in references):
                seen_reference.add((username, url.split("?")[0]))
    # the test is not vacuous: the payload was on these pages, escaped
    detail = reverse("review:report", args=[hostile["report"].pk])
    for username in ("operator-general", "reviewer-gd", "national"):
        assert (username, detail) in seen_escaped
    assert ("operator-general", reverse("reports:list")) in seen_escaped
    assert ("reviewer-gd", reverse("review:queue")) in seen_reference
    assert ("national", reverse("review:national_queue")) in seen_reference
    assert ("national", reverse("tipoffs:detail", args=[hostile["tipoff"].pk])) in seen_escaped


def test_every_text_field_is_on_the_report_page(hostile, web_for):
    """Each field's payload is rendered (escaped) — count the escaped copies."""
    html = web_for("reviewer-gd").get(reverse("review:report", args=[hostile["report"].pk]))
    html = html.content.decode()
    assert_escaped(html, "report page")
    assert html.count(ESCAPED) >= len(REPORT_TEXT_FIELDS) + len(SUMMARY_FIELDS) + 1


def test_the_tipoff_form_shows_posted_hostile_text_escaped(demo, client):
    response = client.post(
        reverse("tipoffs:form"),
        {"title": PAYLOAD, "description": PAYLOAD * 200, "rendered_at": "forged"},
    )
    assert response.status_code == 422
    assert_escaped(response.content.decode(), "tip-off form")
    assert TipOff.objects.count() == 0


def test_the_api_returns_text_as_data(hostile, api_for):
    """JSON is not HTML: the payload comes back verbatim, as a JSON string."""
    response = api_for("reviewer-gd").get(
        reverse("reports-api:report-detail", kwargs={"pk": hostile["report"].pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["title"] == PAYLOAD


# --- Exports ---------------------------------------------------------------------------------


def _cells_csv(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _cells_xlsx(content: bytes) -> list[str]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [
        str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None
    ]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.skipif(not dashboard_exists(), reason="the dashboard app is not there yet")
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("table", ["reports", "compliance"])
def test_exports_neutralise_formulas_and_carry_text_as_text(hostile, web_for, fmt, table):
    url = reverse("dashboard:export", kwargs={"table": table, "fmt": fmt})
    response = web_for("national").get(f"{url}?{dashboard_period()}")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    cells = _cells_csv(content) if fmt == "csv" else _cells_xlsx(content)
    for cell in cells:
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
        if cell.startswith("-"):
            assert _is_number(cell), cell
    if table == "reports":
        assert "'" + FORMULAS[0] in cells
        assert PAYLOAD in cells  # the title, as plain text in a spreadsheet cell
        assert all(not TAG_WITH_HANDLER.search(c) or c == PAYLOAD for c in cells)
