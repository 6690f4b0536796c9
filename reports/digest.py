"""The SHA-256 of a report's submitted content, as the receipt (回执) shows it
(docs/DECISIONS.md, "The receipt's SHA-256").

What is hashed is the UTF-8 encoding of one canonical JSON document:

    {"format": "csir-receipt/1",
     "organization": <the operator's unified social credit code>,
     "submitted_at": <the instant of submission, UTC, "YYYY-MM-DDTHH:MM:SS.ffffffZ">,
     "content": {<every field of DRAFT_FIELDS (Art. 7 items 1-8 and Art. 11) as submitted>}}

keys sorted, no whitespace (separators "," and ":"), non-ASCII characters as themselves
(not \\u escapes). Values: text as stored; flags true/false; nothing given null; times in
UTC as above; the ransom amount as its decimal string ("1000.00"); the category and the CII
sector by their codes; the grading indicators as the JSON object stored. The digest is
computed once, at submission, and stored (`Report.submitted_sha256`): a follow-up or a
corrected wording later changes the report, never its receipt."""

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal

from .contents import DRAFT_FIELDS

FORMAT = "csir-receipt/1"
# fields stored as a foreign key: hashed by their code (the key), not the object
_BY_CODE = {"category": "category_id", "cii_sector": "cii_sector_id"}


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _value(report, name: str, value):
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, Decimal):  # as stored: with the field's decimal places
        places = report._meta.get_field(name).decimal_places
        return str(value.quantize(Decimal(1).scaleb(-places)))
    return value


def submitted_content(report, *, organization_uscc: str | None = None) -> dict:
    """The document that is hashed, from `report` as it stands (call it at submission)."""
    uscc = organization_uscc if organization_uscc is not None else report.organization.uscc
    content = {}
    for name in DRAFT_FIELDS:
        value = getattr(report, _BY_CODE.get(name, name))
        content[name] = _value(report, name, value)
    return {
        "format": FORMAT,
        "organization": uscc,
        "submitted_at": _utc(report.submitted_at),
        "content": content,
    }


def canonical_json(document: dict) -> bytes:
    return json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def content_sha256(report, *, organization_uscc: str | None = None) -> str:
    document = submitted_content(report, organization_uscc=organization_uscc)
    return hashlib.sha256(canonical_json(document)).hexdigest()
