"""Any number of web nodes behind a proxy (issue 12, "Past one machine"; README, "Web
nodes"): two gunicorn processes on the same database, the same Redis, the same
`EVIDENCE_ROOT` (one directory, as shared storage would be) and the same SECRET_KEY, and
nothing kept on one node shows: a session opened on node A works on node B, evidence
uploaded through A downloads through B, and the tip-off limit and the login lockout counted
on A hold on B.

The nodes write to the test database for real (committed): the module's fixture deletes
every row they added, and puts back what they changed, at its end."""

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest
import requests
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Max, ProtectedError

from reports.services.drafting import report_create
from tests.brokers import PrivateRedis, _free_port
from tests.conftest import DEMO_PASSWORD
from tests.helpers import serious_report_data
from tipoffs.services import TIPOFF_PER_HOUR
from tipoffs.views import SIGNER_SALT

SHARED_SECRET_KEY = "two-web-nodes-share-this-secret-key-0123456789-abcdefghijklmnop"
# the test database must be set up for this module (pytest-django sets up the databases the
# collected tests ask for); the tests themselves only speak HTTP to the nodes
pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n% two nodes\n"


@dataclass
class Nodes:
    a: str
    b: str
    report_pk: int
    report_title: str
    evidence_root: object


def _rows_marks() -> dict:
    """The highest primary key of every table with an automatic one."""
    marks = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        if isinstance(model._meta.pk, models.AutoField):
            marks[model] = model._base_manager.aggregate(top=Max("pk"))["top"] or 0
    return marks


def _delete_rows_added_since(marks: dict) -> None:
    """Passes until nothing is left: a row another one points at goes in a later pass, and
    deleting a row with history adds a history row (deleted in the next pass)."""
    for _ in range(10):
        left = []
        for model, mark in marks.items():
            rows = model._base_manager.filter(pk__gt=mark)
            try:
                with transaction.atomic():
                    deleted, _ = rows.delete()
            except (ProtectedError, IntegrityError):
                deleted = 0
            if deleted or rows.exists():
                left.append(model.__name__)
        if not left:
            return
    raise AssertionError(f"rows left by the web nodes: {sorted(left)}")


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_node(port: int, environment: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_until_serving(urls: list[str], procs: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + 60
    waiting = list(urls)
    while waiting and time.monotonic() < deadline:
        for proc in procs:
            assert proc.poll() is None, "a web node exited at start"
        for url in list(waiting):
            try:
                requests.get(f"{url}/accounts/login/", timeout=2).raise_for_status()
                waiting.remove(url)
            except requests.RequestException:
                pass
        time.sleep(0.1)
    assert not waiting, f"web nodes not serving: {waiting}"


@pytest.fixture(scope="module")
def nodes(django_db_setup, django_db_blocker, tmp_path_factory):
    shared = tmp_path_factory.mktemp("shared-storage")
    redis = PrivateRedis(shared)
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis.url,
        "EVIDENCE_ROOT": str(shared / "evidence"),
        "DJANGO_SECRET_KEY": SHARED_SECRET_KEY,
        "TRUSTED_PROXY_COUNT": "1",  # the proxy in front appends the client's address
    }
    # started first, to boot while the rest is set up (they write nothing before a request)
    ports = [_free_port(), _free_port()]
    procs = [_start_node(port, environment) for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    User = get_user_model()
    marks = None
    try:
        redis.start()
        with django_db_blocker.unblock():
            marks = _rows_marks()
            sessions = set(Session.objects.values_list("session_key", flat=True))
            last_logins = dict(User.objects.values_list("pk", "last_login"))
            operator = User.objects.get(username="operator-general")
            report = report_create(user=operator, data=serious_report_data(title="两个节点的报告"))
        _wait_until_serving(urls, procs)
        yield Nodes(urls[0], urls[1], report.pk, report.title, shared / "evidence")
    finally:
        for proc in procs:  # the gunicorn master and its worker: one process group
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        redis.stop()
        if marks is not None:
            with django_db_blocker.unblock():
                _delete_rows_added_since(marks)
                Session.objects.exclude(session_key__in=sessions).delete()
                for pk, last_login in last_logins.items():
                    User.objects.filter(pk=pk).exclude(last_login=last_login).update(
                        last_login=last_login
                    )


def _csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def _log_in(node: str, username: str, password: str) -> tuple[requests.Session, requests.Response]:
    browser = requests.Session()
    page = browser.get(f"{node}/accounts/login/", timeout=10)
    answer = browser.post(
        f"{node}/accounts/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": _csrf_token(page.text),
        },
        allow_redirects=False,
        timeout=10,
    )
    return browser, answer


def _same_browser_on(other: requests.Session) -> requests.Session:
    """The browser's cookies, sent to the other node (as a proxy would)."""
    browser = requests.Session()
    browser.cookies.update(other.cookies)
    return browser


def test_a_session_and_evidence_from_node_a_work_on_node_b(nodes):
    browser_a, answer = _log_in(nodes.a, "operator-general", DEMO_PASSWORD)
    assert answer.status_code == 302 and "/accounts/login/" not in answer.headers["Location"]
    browser_b = _same_browser_on(browser_a)

    # the session opened on A is recognised on B; without it, B asks to log in
    mine = browser_b.get(f"{nodes.b}/reports/", timeout=10)
    assert mine.status_code == 200 and nodes.report_title in mine.text
    stranger = requests.get(f"{nodes.b}/reports/", allow_redirects=False, timeout=10)
    assert stranger.status_code == 302 and "/accounts/login/" in stranger.headers["Location"]

    # evidence uploaded through A …
    upload = browser_a.post(
        f"{nodes.a}/reports/{nodes.report_pk}/attachments/",
        data={"csrfmiddlewaretoken": browser_a.cookies["csrftoken"]},
        files={"file": ("两个节点.pdf", PDF, "application/pdf")},
        allow_redirects=False,
        timeout=10,
    )
    assert upload.status_code == 302, upload.text[:500]
    stored = [p for p in nodes.evidence_root.rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in stored] == [PDF]

    # … is listed and downloaded through B
    page = browser_b.get(f"{nodes.b}/reports/{nodes.report_pk}/", timeout=10)
    assert page.status_code == 200
    link = re.search(rf"/reports/{nodes.report_pk}/attachments/\d+/", page.text).group(0)
    download = browser_b.get(f"{nodes.b}{link}", timeout=10)
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["Content-Type"].startswith("application/pdf")


def _tipoff(browser: requests.Session, node: str, address: str, number: int):
    shown = time.time() - 60 - number  # the form shown a minute ago, each one its own
    token = signing.TimestampSigner(key=SHARED_SECRET_KEY, salt=SIGNER_SALT).sign(f"{shown:.3f}")
    return browser.post(
        f"{node}/tipoff/",
        data={
            "title": f"两个节点 {number}",
            "description": "某单位网站首页被篡改，出现赌博广告。",
            "rendered_at": token,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        headers={"X-Forwarded-For": address},
        allow_redirects=False,
        timeout=10,
    )


def test_the_rate_limits_counted_on_node_a_hold_on_node_b(nodes):
    # the public tip-off form: TIPOFF_PER_HOUR from one address, through A …
    browser = requests.Session()
    browser.get(f"{nodes.a}/tipoff/", timeout=10).raise_for_status()
    for number in range(TIPOFF_PER_HOUR):
        answer = _tipoff(browser, nodes.a, "203.0.113.77", number)
        assert answer.status_code == 302, answer.text[:500]
    # … and the next one through B is refused; another address is not
    refused = _tipoff(browser, nodes.b, "203.0.113.77", TIPOFF_PER_HOUR)
    assert refused.status_code == 429
    assert _tipoff(browser, nodes.b, "203.0.113.78", TIPOFF_PER_HOUR + 1).status_code == 302

    # the login lockout: AXES_FAILURE_LIMIT wrong passwords through A lock the account on B,
    # even with the right password
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _, answer = _log_in(nodes.a, "operator-cii", "not-the-password")
        assert answer.status_code != 302
    _, locked = _log_in(nodes.b, "operator-cii", DEMO_PASSWORD)
    assert locked.status_code == 429  # django-axes's lockout
    assert "sessionid" not in locked.cookies
