"""Evidence attachments: content-checked allow-list, size cap, sanitised names, stored
outside the web roots, hash recorded, visibility applied."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from core.exceptions import ActionForbidden
from reports.services.drafting import report_create
from reports.services.evidence import attachment_add, attachment_get, sanitize_filename
from reports.services.submission import report_submit

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def evidence_root(tmp_path, settings):
    settings.EVIDENCE_ROOT = str(tmp_path / "evidence")
    return Path(settings.EVIDENCE_ROOT)


@pytest.fixture
def report(demo, now):
    user = demo["operator-general"]
    draft = report_create(
        user=user,
        now=now,
        data={
            "title": "勒索",
            "affected_systems": "ERP",
            "discovered_at": now - timedelta(minutes=10),
            "location": "广州",
            "category": "0208",
            "severity_declared": "significant",
            "impact_description": "中断",
            "measures_taken": "隔离",
        },
    )
    return report_submit(user=user, pk=draft.pk, now=now)


def _add(demo, report, name, content, username="operator-general", now=None):
    upload = SimpleUploadedFile(name, content)
    return attachment_add(user=demo[username], pk=report.pk, upload=upload, now=now)


def test_a_pdf_is_stored_outside_the_web_roots_with_its_hash(demo, report, evidence_root):
    import hashlib

    attachment = _add(demo, report, "日志 分析.pdf", PDF)
    assert attachment.content_type == "application/pdf"
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    stored = Path(attachment.file.path)
    assert stored.read_bytes() == PDF
    assert evidence_root in stored.parents
    assert Path(settings.STATIC_ROOT) not in stored.parents
    assert attachment.name == "日志_分析.pdf"
    assert report.events.filter(kind="attachment_added").exists()


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("invoice.pdf", b"#!/bin/sh\nrm -rf /\n", "a script renamed .pdf"),
        ("photo.pdf", PNG, "a PNG named .pdf"),
        ("run.exe", b"MZ\x90\x00", "an executable"),
        ("page.html", b"<script>alert(1)</script>", "html"),
        ("notes.txt", b"\x00\x01binary", "binary named .txt"),
        ("empty.pdf", b"", "zero bytes"),
    ],
)
def test_hostile_files_are_refused_and_nothing_is_stored(
    demo, report, evidence_root, name, content, why
):
    with pytest.raises(ValidationError) as info:
        _add(demo, report, name, content)
    assert "file" in info.value.message_dict, why
    assert report.attachments.count() == 0
    assert not evidence_root.exists() or not any(p.is_file() for p in evidence_root.rglob("*"))


def test_an_oversized_file_is_refused(demo, report, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as info:
        _add(demo, report, "big.pdf", PDF + b"0" * 2048)
    assert "file" in info.value.message_dict


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\system.ini.txt", "system.ini.txt"),
        ("/abs/path/报告.pdf", "报告.pdf"),
        ("a\x00b\nc.txt", "abc.txt"),
        ("...", "evidence"),
        ("", "evidence"),
    ],
)
def test_names_are_sanitised(raw, clean):
    assert sanitize_filename(raw) == clean


def test_a_traversal_name_cannot_escape_the_store(demo, report, evidence_root):
    attachment = _add(demo, report, "../../../../tmp/evil.txt", b"plain text evidence\n")
    assert attachment.name == "evil.txt"
    assert evidence_root in Path(attachment.file.path).parents


def test_other_organisations_and_authorities_cannot_reach_it(demo, report):
    attachment = _add(demo, report, "a.pdf", PDF)
    assert attachment_get(user=demo["reviewer-gd"], report_pk=report.pk, pk=attachment.pk)
    for username in ("operator-cii", "reviewer-bj", "reviewer-energy"):
        with pytest.raises(Http404):
            attachment_get(user=demo[username], report_pk=report.pk, pk=attachment.pk)
    with pytest.raises(Http404):
        _add(demo, report, "b.pdf", PDF, username="operator-cii")
    with pytest.raises(ActionForbidden):
        _add(demo, report, "b.pdf", PDF, username="reviewer-gd")
