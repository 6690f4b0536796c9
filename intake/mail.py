"""Reading one RFC 822 message (no ORM): sender, subject, text body decoded from whatever
charset it declares (UTF-8, GB2312, GBK, GB18030, …; quoted-printable or base64), the Date,
the Message-ID and the attachments. A message that cannot be read is reported with the
reason, never raised."""

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.header import decode_header
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

REFERENCE = re.compile(r"\bCSIR-\d{4}-\d{6,}\b")
# Chinese mail is often labelled GB2312 while using GBK characters: GB18030 reads them all.
CHINESE_CHARSETS = {"gb2312", "gb_2312-80", "gbk", "x-gbk", "cp936", "euc-cn", "gb18030", "hz"}


@dataclass
class ParsedAttachment:
    name: str
    content: bytes


@dataclass
class ParsedMessage:
    key: str
    message_id: str = ""
    sender: str = ""
    sender_name: str = ""
    subject: str = ""
    body: str = ""
    sent_at: datetime | None = None
    attachments: list[ParsedAttachment] = field(default_factory=list)
    error: str = ""

    @property
    def references(self) -> list[str]:
        found = REFERENCE.findall(f"{self.subject}\n{self.body}")
        return list(dict.fromkeys(found))


def decode_bytes(payload: bytes, charset: str | None) -> str:
    charset = (charset or "").strip().strip('"').lower()
    candidates = ["gb18030"] if charset in CHINESE_CHARSETS else [charset] if charset else []
    for candidate in [*candidates, "utf-8", "gb18030"]:
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", errors="replace")


def decode_header_value(value) -> str:
    """An RFC 2047 header (=?GB2312?B?…?=) as text, whatever charset it names."""
    if value is None:
        return ""
    if isinstance(value, email.header.Header):
        value = str(value)
    try:
        parts = decode_header(value)
    except Exception:  # a malformed encoded word: keep the text as it came
        return str(value)
    text = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            text.append(decode_bytes(chunk, charset))
        else:
            text.append(chunk)
    return "".join(text).strip()


class _TextOfHtml(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "div", "tr", "li"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)).strip()


def _filename(part) -> str:
    name = part.get_filename()
    if name is None:
        name = part.get_param("name")
        if isinstance(name, tuple):  # RFC 2231
            name = email.utils.collapse_rfc2231_value(name)
    return decode_header_value(name) if name else ""


def message_key(message_id: str, raw: bytes) -> str:
    return message_id or "sha256:" + hashlib.sha256(raw).hexdigest()


def parse_message(raw: bytes) -> ParsedMessage:
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception as exc:  # pragma: no cover - the parser is lenient; kept for safety
        return ParsedMessage(key=message_key("", raw), error=f"not a message: {exc}")
    message_id = decode_header_value(msg.get("Message-ID")).strip()[:300]
    parsed = ParsedMessage(key=message_key(message_id, raw), message_id=message_id)
    if not msg.keys():
        parsed.error = "no header block: this is not an RFC 822 message"
        return parsed
    addresses = [(n, a) for n, a in getaddresses([decode_header_value(msg.get("From"))]) if a]
    if not addresses or "@" not in addresses[0][1]:
        parsed.error = "no sender address in the From header"
        return parsed
    parsed.sender_name, parsed.sender = addresses[0][0][:200], addresses[0][1].lower()[:254]
    parsed.subject = decode_header_value(msg.get("Subject"))[:500]
    date = msg.get("Date")
    if date:
        try:
            parsed.sent_at = parsedate_to_datetime(str(date))
        except (TypeError, ValueError, IndexError):
            parsed.sent_at = None
        if parsed.sent_at is not None and parsed.sent_at.tzinfo is None:
            parsed.sent_at = None  # a Date without a zone names no instant
    plain, html = [], []
    try:
        for part in msg.walk():
            if part.is_multipart():
                continue
            disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
            name = _filename(part)
            content_type = part.get_content_type()
            payload = part.get_payload(decode=True) or b""
            if disposition == "attachment" or name or not content_type.startswith("text/"):
                parsed.attachments.append(ParsedAttachment(name or "attachment", payload))
            elif content_type == "text/html":
                html.append(decode_bytes(payload, part.get_content_charset()))
            else:
                plain.append(decode_bytes(payload, part.get_content_charset()))
    except Exception as exc:
        parsed.error = f"the body could not be read: {exc}"
        return parsed
    if plain:
        parsed.body = "\n\n".join(p.strip() for p in plain)
    elif html:
        parsed.body = "\n\n".join(html_to_text(h) for h in html)
    return parsed
