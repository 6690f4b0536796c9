"""The IMAP poller against a real IMAP server the test starts (pymap, an IMAP4rev1 server in
Python, with its in-memory backend): real messages are APPENDed to a mailbox, polled into
the inbox, flagged seen, and never ingested twice."""

import imaplib
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from intake.models import InboxItem
from intake.services.imap import imap_poll
from intake.tasks import imap_poll_task

from . import messages

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PYMAP = Path(sys.executable).parent / "pymap"
USER, PASSWORD, BOX = "demouser", "demopass", "12387"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def imap_server():
    port = free_port()
    proc = subprocess.Popen(
        [str(PYMAP), "--host", "127.0.0.1", "--port", str(port), "dict", "--demo-data"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("the IMAP server did not start") from None
            time.sleep(0.1)
    yield port
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def mailbox(imap_server):
    """An empty mailbox of its own for each test; `deliver(raw, at)` appends a message."""
    conn = imaplib.IMAP4("127.0.0.1", imap_server)
    conn.login(USER, PASSWORD)
    name = f"{BOX}-{time.monotonic_ns()}"
    assert conn.create(name)[0] == "OK"

    def deliver(raw: bytes, at: datetime) -> None:
        typ, _ = conn.append(name, None, imaplib.Time2Internaldate(at.timestamp()), raw)
        assert typ == "OK"

    deliver.url = f"imap://{USER}:{PASSWORD}@127.0.0.1:{imap_server}/{name}"
    deliver.conn, deliver.name = conn, name
    yield deliver
    conn.logout()


def unseen(deliver) -> list:
    deliver.conn.select(f'"{deliver.name}"')
    return deliver.conn.uid("SEARCH", None, "UNSEEN")[1][0].split()


def test_unseen_messages_become_inbox_items_once(mailbox):
    arrived = datetime(2026, 11, 25, 1, 30, 5, tzinfo=UTC)
    mailbox(messages.gb2312_base64(message_id="<imap-1@example.cn>"), arrived)
    mailbox(messages.utf8_qp_with_attachments(message_id="<imap-2@example.cn>"), arrived)
    mailbox(messages.BROKEN, arrived)
    result = imap_poll(mailbox.url)
    assert (result.fetched, result.created, result.refused) == (3, 3, 0)
    first = InboxItem.objects.get(message_id="<imap-1@example.cn>")
    assert first.body == messages.GB2312_TEXT
    assert first.received_at == arrived  # the server's INTERNALDATE: when it arrived
    second = InboxItem.objects.get(message_id="<imap-2@example.cn>")
    assert [f.name for f in second.files.all()] == ["log.pdf"]
    assert InboxItem.objects.exclude(parse_error="").count() == 1
    assert unseen(mailbox) == []  # flagged seen on the server
    # nothing new: nothing fetched; a message seen again (re-flagged unseen) is one item
    assert imap_poll(mailbox.url).fetched == 0
    mailbox(messages.gb2312_base64(message_id="<imap-1@example.cn>"), arrived)
    again = imap_poll(mailbox.url)
    assert (again.fetched, again.created) == (1, 0)
    assert InboxItem.objects.count() == 3


def test_a_message_over_the_cap_is_left_flagged_in_the_mailbox(mailbox, settings):
    settings.INBOUND_EMAIL_MAX_BYTES = 500  # the message is about 1.3 kB
    mailbox(messages.utf8_qp_with_attachments(message_id="<big@example.cn>"), datetime.now(UTC))
    result = imap_poll(mailbox.url)
    assert (result.fetched, result.created, result.refused) == (1, 0, 1)
    assert not InboxItem.objects.exists()
    mailbox.conn.select(f'"{mailbox.name}"')
    flagged = mailbox.conn.uid("SEARCH", None, "FLAGGED")[1][0].split()
    assert len(flagged) == 1  # still there, for a person to look at


def test_the_beat_task_polls_the_configured_mailbox(mailbox, settings):
    mailbox(messages.gbk_quoted_printable(message_id="<beat-1@example.cn>"), datetime.now(UTC))
    settings.INBOUND_IMAP_URL = mailbox.url
    imap_poll_task()
    assert InboxItem.objects.filter(message_id="<beat-1@example.cn>").exists()


@pytest.mark.parametrize("url, scheduled", [("", False), ("imaps://u:p@mail/INBOX", True)])
def test_beat_schedules_the_poller_only_when_a_mailbox_is_set(url, scheduled):
    env = {k: v for k, v in os.environ.items() if k != "INBOUND_IMAP_URL"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", INBOUND_IMAP_URL=url)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print('intake-imap-poll' in settings.CELERY_BEAT_SCHEDULE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(scheduled)
