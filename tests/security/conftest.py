"""A small world of reports in several tenants, each with a follow-up or an attachment, for
the security tests (permission matrix, XSS, uploads)."""

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings

from reports.models import Attachment, Report
from reports.services.drafting import report_create
from reports.services.evidence import attachment_add
from reports.services.followups import report_followup
from reports.services.submission import report_submit

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # the `now` fixture's instant
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# Everyone in the demo world but the superuser (who sees everything through the admin).
DEMO_USERS = (
    "operator-general",
    "operator-cii",
    "operator-central",
    "reviewer-gd",
    "reviewer-bj",
    "reviewer-energy",
    "reviewer-ministry",
    "police-liaison",
    "national",
)


@pytest.fixture(scope="module")
def module_evidence_root(tmp_path_factory):
    """Evidence files of one test module (the module's world stores its attachments here)."""
    root = tmp_path_factory.mktemp("evidence")
    with override_settings(EVIDENCE_ROOT=str(root)):
        yield root


@pytest.fixture(autouse=True)
def evidence_root(module_evidence_root):
    return module_evidence_root


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """An outer transaction around one test module, rolled back at its end: what a module
    fixture writes in it is built once, and each test's own transaction (pytest-django's
    `db`) nests inside it as a savepoint, so every test still starts from the same rows."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def stored_files_under(root) -> list:
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def report_data(now, **extra) -> dict:
    return {
        "title": "门户网站被攻击",
        "affected_systems": "门户网站",
        "discovered_at": now - timedelta(minutes=10),
        "location": "广州",
        "category": "0208",
        "severity_declared": "significant",
        "impact_description": "无法访问",
        "measures_taken": "隔离",
        **extra,
    }


def attach(user, report, name="evidence.pdf", content=PDF, followup=None, now=None):
    return attachment_add(
        user=user,
        pk=report.pk,
        upload=SimpleUploadedFile(name, content),
        followup=followup,
        now=now,
    )


@dataclass
class Case:
    """A report and who may see it (from docs/ARCHITECTURE.md "Actors", not from the code)."""

    name: str
    report: object
    insiders: set
    attachment: object = None
    extra: dict = field(default_factory=dict)

    @property
    def outsiders(self) -> list[str]:
        return [u for u in DEMO_USERS if u not in self.insiders]


@pytest.fixture(scope="module")
def module_world(module_db, module_evidence_root):
    """Four reports: a general-channel one (Guangdong), a CII one (energy sector, copy to
    public security), a serious central one (visible to the national tier), and a draft.
    Built once per module (see `module_db`); `world` gives each test fresh objects."""
    now = NOW
    demo = {u.username: u for u in get_user_model().objects.all()}
    op_general, op_cii, op_central = (
        demo["operator-general"],
        demo["operator-cii"],
        demo["operator-central"],
    )
    general = report_create(user=op_general, data=report_data(now), now=now)
    general = report_submit(user=op_general, pk=general.pk, now=now)
    followup = report_followup(
        user=op_general, pk=general.pk, data={"kind": "progress", "body": "已恢复"}, now=now
    )
    general_att = attach(op_general, general, followup=followup, now=now)

    cii = report_create(
        user=op_cii, data=report_data(now, title="电网调度系统异常", location="北京"), now=now
    )
    cii = report_submit(user=op_cii, pk=cii.pk, now=now)
    cii_att = attach(op_cii, cii, "log.txt", b"2026-11-25 scan from 203.0.113.5\n", now=now)

    central = report_create(
        user=op_central,
        data=report_data(now, title="数据泄露", severity_declared="major", location="北京"),
        now=now,
    )
    central = report_submit(user=op_central, pk=central.pk, now=now)
    central_att = attach(op_central, central, now=now)

    draft = report_create(user=op_general, data=report_data(now, title="草稿"), now=now)
    draft_att = attach(op_general, draft, now=now)

    return [
        Case("general", general, {"operator-general", "reviewer-gd"}, general_att),
        Case("cii", cii, {"operator-cii", "reviewer-energy", "police-liaison"}, cii_att),
        Case(
            "central", central, {"operator-central", "reviewer-ministry", "national"}, central_att
        ),
        Case("draft", draft, {"operator-general"}, draft_att),
    ]


@pytest.fixture
def world(module_world, db):
    """The module's world as fresh objects read in this test (a test may change them)."""
    return [
        replace(
            case,
            report=Report.objects.get(pk=case.report.pk),
            attachment=Attachment.objects.get(pk=case.attachment.pk),
            extra=dict(case.extra),
        )
        for case in module_world
    ]
