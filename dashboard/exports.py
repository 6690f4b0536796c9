"""CSV and Excel (XLSX) exports of the filtered reports and of the compliance table.

Spreadsheets must show Chinese as written: CSV is UTF-8 with a byte-order mark (Excel reads
BOM-less CSV in the locale's code page). A cell that a spreadsheet would run as a formula
(text starting with = + - @, or a tab / carriage return) gets a leading apostrophe (OWASP
"CSV injection"): operators type the titles, and a title is not a formula."""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from .filters import BEIJING

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 100_000
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def neutralise(value):
    """A spreadsheet-safe cell: text that would start a formula gets a leading apostrophe;
    instants in Beijing time; None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return timezone.localtime(value, BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def _csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([neutralise(h) for h in header])
    for row in rows:
        yield writer.writerow([neutralise(v) for v in row])


def csv_response(filename: str, header: list[str], rows: Iterable[list]):
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in _csv_lines(header, rows)),
        content_type=CONTENT_TYPES["csv"],
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, title: str, header: list[str], rows: Iterable[list]):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([neutralise(h) for h in header])
    for count, row in enumerate(rows):
        if count >= XLSX_MAX_ROWS:
            sheet.append(
                [_("Only the first %(n)d rows: export CSV for all of them.") % {"n": count}]
            )
            break
        sheet.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(fmt: str, filename: str, title: str, header: list[str], rows):
    if fmt == "xlsx":
        return xlsx_response(filename, title, header, rows)
    return csv_response(filename, header, rows)


# -- the two tables --------------------------------------------------------------------------


def report_table(reports) -> tuple[list[str], Iterator[list]]:
    header = [
        _("Reference"),
        _("Title"),
        _("Level"),
        _("Status"),
        _("Tier"),
        _("Channel"),
        _("Received via"),
        _("Category"),
        _("Organisation"),
        _("Province"),
        _("Receiving authority"),
        _("Submitted at"),
        _("Forwarded at"),
    ]

    def rows():
        qs = reports.select_related(
            "organization__province", "receiving_authority", "category"
        ).order_by("submitted_at", "pk")
        for r in qs.iterator(chunk_size=2000):
            yield [
                r.reference or f"#{r.pk}",
                r.title,
                r.get_severity_display(),
                r.get_status_display(),
                r.get_tier_display(),
                r.get_channel_display(),
                r.get_received_via_display(),
                str(r.category) if r.category_id else "",
                r.organization.name,
                r.organization.province.display_name,
                r.receiving_authority.display_name,
                r.submitted_at,
                r.forwarded_at,
            ]

    return header, rows()


def compliance_table(data: dict) -> tuple[list[str], list[list]]:
    """One table: a row per channel (on-time filing), then a row per receiving authority."""
    header = [
        _("Channel or receiving authority"),
        _("Reports with a filing limit"),
        _("Filed on time"),
        _("Filed late"),
        _("Share on time"),
        _("Findings: late reporting (迟报)"),
        _("Findings: missed reports (漏报)"),
        _("Findings: false reporting (谎报)"),
        _("Findings: concealment (瞒报)"),
        _("Reports"),
        _("Forwarded"),
        _("Median receipt to forward (s)"),
        _("95th percentile receipt to forward (s)"),
        _("Forwarded automatically"),
        _("Forwarded late"),
        _("Late summary reports"),
    ]
    rows = []
    for c in data["channels"]:
        share = "" if c["on_time_share"] is None else round(c["on_time_share"] * 100, 1)
        found = c["findings"]
        counts = [found["late"], found["missed"], found["false"], found["concealed"]]
        rows.append([c["label"], c["due"], c["on_time"], c["late"], share, *counts, *[""] * 7])
    for a in data["authorities"]:
        rows.append(
            [
                a["name"],
                *[""] * 8,
                a["reports"],
                a["forwarded"],
                a["median_seconds"],
                a["p95_seconds"],
                a["automatic_forwards"],
                a["late_forwards"],
                a["late_summaries"],
            ]
        )
    return header, rows
