"""Polling an IMAP mailbox for the 12387 inbox (`INBOUND_IMAP_URL`, every
`INBOUND_IMAP_SECONDS` by Celery beat). Unseen messages are fetched without marking them
(BODY.PEEK), ingested as `ingest_email` would (received at the server's INTERNALDATE), and
only then flagged \\Seen: a crash between the two fetches the message again, and the
Message-ID makes that harmless. A message over the size cap is flagged \\Seen and
\\Flagged without being downloaded, and left in the mailbox for a person."""

import contextlib
import imaplib
import logging
import re
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from .inbox import inbox_ingest

log = logging.getLogger(__name__)
SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


@dataclass
class PollResult:
    fetched: int = 0
    created: int = 0
    refused: int = 0


def connect(url: str, *, timeout: float = 30) -> tuple[imaplib.IMAP4, str]:
    """Log in to `imap[s]://user:password@host[:port]/MAILBOX`; returns the connection and
    the mailbox (default INBOX)."""
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise ValueError("INBOUND_IMAP_URL must be imap://… or imaps://user:password@host/BOX")
    if parts.scheme == "imaps":
        conn = imaplib.IMAP4_SSL(
            parts.hostname,
            parts.port or 993,
            ssl_context=ssl.create_default_context(),
            timeout=timeout,
        )
    else:
        conn = imaplib.IMAP4(parts.hostname, parts.port or 143, timeout=timeout)
    conn.login(unquote(parts.username or ""), unquote(parts.password or ""))
    return conn, unquote(parts.path.lstrip("/")) or "INBOX"


def _internaldate(meta: bytes) -> datetime | None:
    parsed = imaplib.Internaldate2tuple(meta)
    return datetime.fromtimestamp(time.mktime(parsed), tz=UTC) if parsed else None


def _fetch(conn, uid: bytes) -> tuple[bytes, datetime | None]:
    typ, data = conn.uid("FETCH", uid, "(INTERNALDATE BODY.PEEK[])")
    if typ != "OK":
        raise imaplib.IMAP4.error(f"FETCH {uid!r}: {data!r}")
    for part in data:
        if isinstance(part, tuple):
            return part[1], _internaldate(part[0])
    raise imaplib.IMAP4.error(f"FETCH {uid!r} returned no message")


def _size(conn, uid: bytes) -> int:
    typ, data = conn.uid("FETCH", uid, "(RFC822.SIZE)")
    found = SIZE.search(b" ".join(d if isinstance(d, bytes) else d[0] for d in data if d))
    return int(found.group(1)) if typ == "OK" and found else 0


def imap_poll(url: str, *, now: datetime | None = None) -> PollResult:
    result = PollResult()
    conn, mailbox = connect(url)
    try:
        typ, _ = conn.select(f'"{mailbox}"')
        if typ != "OK":
            raise imaplib.IMAP4.error(f"cannot select {mailbox}")
        typ, data = conn.uid("SEARCH", None, "UNSEEN")
        uids = data[0].split() if typ == "OK" and data and data[0] else []
        for uid in uids:
            result.fetched += 1
            if _size(conn, uid) > settings.INBOUND_EMAIL_MAX_BYTES:
                log.warning("IMAP message %s is over INBOUND_EMAIL_MAX_BYTES: left flagged", uid)
                conn.uid("STORE", uid, "+FLAGS", r"(\Seen \Flagged)")
                result.refused += 1
                continue
            raw, arrived = _fetch(conn, uid)
            try:
                _item, created = inbox_ingest(raw=raw, received_at=arrived, now=now)
            except ValidationError:
                conn.uid("STORE", uid, "+FLAGS", r"(\Seen \Flagged)")
                result.refused += 1
                continue
            result.created += int(created)
            conn.uid("STORE", uid, "+FLAGS", r"(\Seen)")
    finally:
        with contextlib.suppress(Exception):  # the connection may be gone already
            conn.logout()
    return result
