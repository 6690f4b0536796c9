"""Evidence attachments: size cap, type allow-list checked on the content (not the name),
sanitised names, stored outside the web roots, with a content hash."""

import hashlib
import re
import unicodedata
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import roles_of
from core.exceptions import ActionForbidden, InvalidTransition
from core.formats import file_size

from ..constants import Status
from ..events import report_event_create
from ..models import Attachment, ReportEvent
from ..selectors import report_get

# (content type, magic prefixes or None for text, extensions it may carry)
EVIDENCE_TYPES = (
    ("application/pdf", (b"%PDF-",), (".pdf",)),
    ("image/png", (b"\x89PNG\r\n\x1a\n",), (".png",)),
    ("image/jpeg", (b"\xff\xd8\xff",), (".jpg", ".jpeg")),
    ("application/zip", (b"PK\x03\x04",), (".zip", ".docx", ".xlsx", ".pptx")),
    (
        "application/vnd.tcpdump.pcap",
        (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x0a\x0d\x0d\x0a"),
        (".pcap", ".pcapng"),
    ),
    # faxes arrive from the fax gateway as TIFF (MEASURES.md §7)
    ("image/tiff", (b"II*\x00", b"MM\x00*"), (".tif", ".tiff")),
    ("text/plain", None, (".txt", ".log", ".csv")),
)


def sanitize_filename(name: str) -> str:
    """The last path component only, no control characters or separators; keeps Chinese."""
    name = (name or "").replace("\\", "/").split("/")[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r"[<>:\"|?*\s]+", "_", name).strip("._ ")
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 150 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:150]
    return name or "evidence"


def sniff_evidence_type(head: bytes, name: str) -> str | None:
    """The content type the bytes prove, if it is on the allow-list and matches the name."""
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    for content_type, magics, extensions in EVIDENCE_TYPES:
        if ext not in extensions:
            continue
        if magics is None:
            if b"\x00" in head:
                return None
            try:
                head.decode("utf-8")
            except UnicodeDecodeError as exc:
                if exc.start < len(head) - 4:  # a multi-byte character cut at the end is fine
                    try:
                        head.decode("gb18030")
                    except UnicodeDecodeError:
                        return None
            return content_type
        if any(head.startswith(m) for m in magics):
            return content_type
        return None
    return None


def evidence_errors(name: str, size: int, head: bytes) -> tuple[str | None, str | None]:
    """The content checks every piece of evidence passes (an upload, an e-mail's
    attachment): not empty, within `EVIDENCE_MAX_BYTES`, a type on the allow-list proven by
    its content and agreeing with its name. Returns (content type, None) or (None, the
    reason it is refused)."""
    if size == 0:
        return None, _("The file is empty.")
    if size > settings.EVIDENCE_MAX_BYTES:
        return None, _("The file is larger than %(max)s MB.") % {
            "max": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
        }
    content_type = sniff_evidence_type(head, name)
    if content_type is None:
        return None, _(
            "This kind of file is not accepted, or its content does not match its name. "
            "Accepted: PDF, PNG, JPEG, TIFF, ZIP/DOCX/XLSX, PCAP, plain text."
        )
    return content_type, None


def attachment_store(
    *, report, name: str, content: bytes, content_type: str, user, now: datetime, followup=None
) -> Attachment:
    """Store checked evidence on a report (no event: the caller writes it)."""
    attachment = Attachment(
        report=report,
        followup=followup,
        name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
        uploaded_at=now,
    )
    attachment.file.save(name, ContentFile(content), save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


@transaction.atomic
def attachment_add(*, user, pk, upload, followup=None, now: datetime | None = None):
    now = now or timezone.now()
    report = report_get(user=user, pk=pk, lock=True)
    roles = roles_of(user)
    if report.status == Status.DRAFT:
        if not roles.can_edit_draft(report):
            raise ActionForbidden()
    elif not roles.reports_for(report.organization_id):
        raise ActionForbidden(_("Only the operator's reporters add evidence."))
    if report.status == Status.CLOSED and followup is None:
        # after closure, evidence comes with a 补报 or 续报 only
        raise InvalidTransition(_("The report is closed."))
    name = sanitize_filename(getattr(upload, "name", ""))
    size = getattr(upload, "size", None) or 0
    if size == 0 or size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError({"file": evidence_errors(name, size, b"")[1]})
    head = b""
    chunks = []
    for chunk in upload.chunks():
        if len(head) < 8192:
            head += chunk[: 8192 - len(head)]
        chunks.append(chunk)
    content_type, refused = evidence_errors(name, size, head)
    if refused:
        raise ValidationError({"file": refused})
    if followup is not None and getattr(followup, "report_id", None) != report.pk:
        raise ValidationError({"followup": _("That follow-up belongs to another report.")})
    attachment = attachment_store(
        report=report,
        name=name,
        content=b"".join(chunks),
        content_type=content_type,
        user=user,
        now=now,
        followup=followup,
    )
    report_event_create(
        report=report,
        kind=ReportEvent.Kind.ATTACHMENT_ADDED,
        at=now,
        actor=user,
        note=(
            f"{name} ({attachment.type_label}, {file_size(size)}, "
            f"SHA-256 {attachment.sha256[:16]}…)"
        ),
    )
    return attachment


def attachment_get(*, user, report_pk, pk):
    """An attachment of a report the user may see (404 otherwise)."""
    report = report_get(user=user, pk=report_pk)
    try:
        return Attachment.objects.get(report=report, pk=pk)
    except (Attachment.DoesNotExist, ValueError):
        raise Http404 from None
