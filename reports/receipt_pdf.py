"""The receipt (回执) of a submitted report, as a PDF (issue 13, point 10).

Chinese text is set in reportlab's built-in CID font STSong-Light (Adobe's Asian font
pack: the PDF names the font and the reader supplies it; no font file, nothing fetched).
The reference and the SHA-256 are also set in Courier so that they copy exactly."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from core.formats import EMPTY, duration, local_minute
from escalation.constants import Kind
from escalation.rules import clock_state, pick_clock

from .digest import FORMAT

FONT = "STSong-Light"
MONO = "Courier"

pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _beijing(moment) -> str:
    return _("%(time)s (Beijing time)") % {"time": local_minute(moment)}


def filing_outcome(report, now=None) -> tuple[str, str]:
    """(due, outcome) of the filing, in words, by the rules the report page shows: on time
    or late against the statutory limit (迟报 only there), a stricter internal time named
    but never called late, and no limit for a voluntary report."""
    state = clock_state(pick_clock(report.deadlines.all(), Kind.FILE), now or timezone.now())
    if state is None or state["state"] == "not_required":
        return EMPTY, _("No filing limit: a voluntary report (一般 level).")
    due = _beijing(state["due_at"])
    if state["state"] == "late":
        outcome = _("Late (迟报): submitted %(delta)s after the statutory limit.") % {
            "delta": duration(state["delta"])
        }
        if report.late_reason:
            outcome += " " + _("Reason given: %(reason)s") % {"reason": report.late_reason}
    elif state["state"] == "met":
        outcome = _("On time: submitted within the statutory limit.")
    else:  # a submitted report's filing clock is met; nothing else is expected here
        outcome = EMPTY
    return due, outcome


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def receipt_pdf(report, *, digest: str, now=None) -> bytes:
    """The receipt of a submitted report: who reported what to whom, when, with what
    outcome, and the SHA-256 of the content as submitted (reports.digest)."""
    now = now or timezone.now()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=15, wordWrap="CJK")
    label = ParagraphStyle("label", parent=body, textColor=colors.HexColor("#444444"))
    title = ParagraphStyle("title", parent=body, fontSize=17, leading=24, alignment=1)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=12)
    mono = ParagraphStyle("mono", fontName=MONO, fontSize=8.5, leading=13)

    def p(text, style=body):
        return Paragraph(_escape(text), style)

    due, outcome = filing_outcome(report, now)
    copies = "、".join(a.name for a in report.copied_to.all()) or _("None")
    organization = report.organization
    rows = [
        (_("Reference number"), Paragraph(_escape(report.reference), mono)),
        (_("Report title"), p(report.title)),
        (_("Reporting organisation"), p(f"{organization.name}（{organization.uscc}）")),
        (_("Receiving authority"), p(report.receiving_authority.name)),
        (_("Copies to"), p(copies)),
        (_("Received via"), p(report.get_received_via_display())),
        (_("Submitted at"), p(_beijing(report.submitted_at))),
        (_("Filing deadline"), p(due)),
        (_("Outcome"), p(outcome)),
        (_("SHA-256 of the submitted content"), Paragraph(digest, mono)),
    ]
    table = Table(
        [[p(name, label), value] for name, value in rows],
        colWidths=(45 * mm, 125 * mm),
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#BBBBBB")),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    story = [
        p(_("Cybersecurity incident report: receipt (回执)"), title),
        Spacer(1, 4 * mm),
        p(
            _(
                "The portal received the report below. Keep this receipt: its reference "
                "number identifies the report in every exchange with the authorities."
            )
        ),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 6 * mm),
        HRFlowable(width="100%", thickness=0.25, color=colors.HexColor("#BBBBBB")),
        p(
            _(
                "The SHA-256 is computed over the content as submitted (Art. 7 items 1-8 and "
                "Art. 11), the organisation's credit code and the instant of submission, as "
                "canonical JSON (format %(format)s, described in the portal's "
                "docs/DECISIONS.md). Later follow-ups do not change it."
            )
            % {"format": FORMAT},
            small,
        ),
        p(
            _("Receipt generated at %(at)s (Beijing time).") % {"at": local_minute(now)},
            small,
        ),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"{report.reference} receipt",
        author="Cybersecurity Incident Reporting Portal",
        invariant=True,
    )
    document.build(story)
    return buffer.getvalue()
