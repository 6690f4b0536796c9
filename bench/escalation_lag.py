"""Escalation lag under load: real web (gunicorn), the two Celery workers (`clocks` and
the rest, as deployed), beat, Redis and PostgreSQL. A policy with a 60 s forward limit and a
10 s margin; N serious reports filed through the REST API as fast as the machine allows (no
fixed rate: `--threads` clients back to back); prints the filing rate reached, then the lag
from each clock's act_at to the recorded automatic forward (p50, p99, max) and the count of
missed deadlines.

    .venv/bin/python bench/escalation_lag.py [--reports 1500] [--threads 8] [--web-workers 3]
        [--no-nice]

Needs PostgreSQL and Redis on 127.0.0.1 (as `make test`). Uses its own database
`portal_bench_lag` (dropped and re-created) and Redis database 9 (flushed).
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import percentile, recreate_database  # noqa: E402

DB_NAME = "portal_bench_lag"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/9"
PORT = 8077
ENV = {
    **os.environ,
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "ESCALATION_SWEEP_SECONDS": "1",
    "DJANGO_SETTINGS_MODULE": "config.settings.local",
    "DJANGO_DEBUG": "false",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
}
PY = sys.executable


def sh(*args, **kw):
    return subprocess.run(args, cwd=ROOT, env=ENV, check=True, **kw)


def start(*args):
    return subprocess.Popen(
        args,
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1500)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--web-workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--no-nice", action="store_true", help="no CPU priority for the clocks")
    args = parser.parse_args()

    recreate_database(DB_NAME)
    sh("redis-cli", "-n", "9", "FLUSHDB", stdout=subprocess.DEVNULL)
    sh(PY, "manage.py", "migrate", "-v0")
    sh(PY, "manage.py", "seed_demo", stdout=subprocess.DEVNULL)
    sh(
        PY,
        "manage.py",
        "shell",
        "-c",
        "from datetime import timedelta; from escalation.models import EscalationPolicy;"
        "EscalationPolicy.objects.filter(channel='general').update("
        "forward_within=timedelta(seconds=60), auto_forward_margin=timedelta(seconds=10))",
    )
    token = (
        subprocess.run(
            [
                PY,
                "manage.py",
                "shell",
                "-c",
                "from rest_framework.authtoken.models import Token;"
                "from django.contrib.auth.models import User;"
                "print(Token.objects.get_or_create(user=User.objects.get("
                "username='operator-general'))[0].key)",
            ],
            cwd=ROOT,
            env=ENV,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )

    celery = [PY, "-m", "celery", "-A", "config"]
    # the README's advice: the clock worker gets the CPU first (--no-nice: all equal)
    later = [] if args.no_nice else ["nice", "-n", "10"]
    web = ["-m", "gunicorn", "config.wsgi", "-w", str(args.web_workers), "-b", f"127.0.0.1:{PORT}"]
    procs = [
        start(*later, PY, *web, "--log-level", "warning"),
        # as deployed (Procfile, README): the clocks have a worker of their own
        start(
            *celery, "worker", "-Q", "clocks", "-n", "clocks@%h", "--concurrency=2", "-l", "WARNING"
        ),
        start(
            *later,
            *celery,
            *("worker", "-Q", "celery", "-n", "worker@%h", "--concurrency=1", "-l", "WARNING"),
        ),
        start(*celery, "beat", "-s", "/tmp/bench-lag-beat", "-l", "WARNING"),
    ]
    if not args.no_nice:
        os.nice(10)  # the load generator (this process's client threads) too
    try:

        def post(path, body):
            req = urllib.request.Request(
                f"http://127.0.0.1:{PORT}{path}",
                data=json.dumps(body).encode(),
                headers={
                    "Authorization": f"Token {token}",
                    "Content-Type": "application/json",
                    "Prefer": "return=minimal",  # the short answer (docs/ARCHITECTURE.md)
                },
                method="POST",
            )
            with urllib.request.urlopen(req, timeout=60) as resp:
                return json.loads(resp.read())

        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health/", timeout=2)
                break
            except Exception:
                time.sleep(0.2)

        def file_one(i):
            now = datetime.now(UTC)
            draft = post(
                "/api/v1/reports/",
                {
                    "title": f"bench {i}",
                    "affected_systems": "ERP",
                    "discovered_at": (now - timedelta(minutes=5)).isoformat(),
                    "location": "广州",
                    "category": "0208",
                    "severity_declared": "major",
                    "impact_description": "中断",
                    "measures_taken": "隔离",
                },
            )
            post(f"/api/v1/reports/{draft['id']}/submit/", {})

        started = time.monotonic()
        with ThreadPoolExecutor(args.threads) as pool:
            list(pool.map(file_one, range(args.reports)))
        filing = time.monotonic() - started
        print(
            f"filed {args.reports} serious reports at full speed ({args.threads} clients, "
            f"gunicorn {args.web_workers} workers) in {filing:.1f} s: "
            f"{args.reports / filing:.1f} reports/s reached"
        )

        probe = (
            "from escalation.models import Deadline;"
            "print(Deadline.objects.filter(kind='forward', outcome='open').count())"
        )
        limit = time.monotonic() + 60 + 120
        while time.monotonic() < limit:
            out = (
                subprocess.run(
                    [PY, "manage.py", "shell", "-c", probe],
                    cwd=ROOT,
                    env=ENV,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            if out == "0":
                break
            time.sleep(2)

        report = (
            "import json; from escalation.models import Deadline;"
            "from reports.models import ReportEvent;"
            "ev={e.report_id: e.at for e in ReportEvent.objects.filter(kind='forwarded',"
            "automatic=True)};"
            "rows=[((ev[d.report_id]-d.act_at).total_seconds() if d.report_id in ev else None,"
            " d.outcome) for d in Deadline.objects.filter(kind='forward')];"
            "print(json.dumps(rows))"
        )
        out = (
            subprocess.run(
                [PY, "manage.py", "shell", "-c", report],
                cwd=ROOT,
                env=ENV,
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        rows = json.loads(out)
        lags = [lag for lag, _ in rows if lag is not None]
        missed = sum(1 for lag, outcome in rows if lag is None or outcome != "met")
        print(f"filing rate reached: {args.reports / filing:.1f}/s")
        print(f"clocks: {len(rows)}, forwarded automatically: {len(lags)}")
        print(
            f"lag act_at → forward: p50 {statistics.median(lags):.3f} s, "
            f"p99 {percentile(lags, 99):.3f} s, max {max(lags):.3f} s"
        )
        print(f"missed deadlines (not forwarded by the 60 s limit): {missed}")
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
