"""Report submissions through the REST API under load (README.md, "Benchmarks": ≥ 150 /s,
p95 < 100 ms, and the ratio to a bare Django POST endpoint measured in the same run, goal
≥ 0.5).

    .venv/bin/python bench/submissions.py [--submissions 2000] [--clients 8] [--workers 4] [--full]

A submission is what an operator's system does: create the draft (POST /api/v1/reports/),
then submit it (POST /api/v1/reports/{id}/submit/), asking for the short answer (`Prefer:
return=minimal`; `--full` for the full report), each with its history rows, clocks,
events and notifications enqueued on Redis. Served by gunicorn (sync workers) with the
production middleware stack against PostgreSQL and Redis; the load comes from threads in
this process, on the same machine (they take CPU from the server: the figures are a floor).
Serious reports (major), so both the filing and the forward clocks open.

Uses its own database `portal_bench_submit` (dropped and re-created) and Redis database 8
(flushed). No Celery worker runs: tasks wait in Redis, as they would for a busy worker.
"""

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import percentile, recreate_database  # noqa: E402

DB_NAME = "portal_bench_submit"
PORT = 8078
ENV = {
    **os.environ,
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    "REDIS_URL": "redis://127.0.0.1:6379/8",
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DJANGO_DEBUG": "false",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
}
PY = sys.executable
OPERATORS = ["operator-general", "operator-cii", "operator-central"]


def sh(*args, **kw):
    return subprocess.run(args, cwd=ROOT, env=ENV, check=True, **kw)


def tokens() -> list[str]:
    code = (
        "from rest_framework.authtoken.models import Token;"
        "from django.contrib.auth.models import User;"
        f"print(' '.join(Token.objects.get_or_create(user=User.objects.get(username=u))[0].key"
        f" for u in {OPERATORS!r}))"
    )
    out = subprocess.run(
        [PY, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1].split()


_local = threading.local()
FULL_ANSWERS = False  # --full: the full report in every answer instead of the short form


def post(path: str, body: dict, token: str | None = None) -> tuple[int, dict]:
    # one connection per thread, reopened when the server closes it (sync workers do)
    headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
    if token:
        headers["Authorization"] = f"Token {token}"
        if not FULL_ANSWERS:
            headers["Prefer"] = "return=minimal"  # the short answer (docs/ARCHITECTURE.md)
    for attempt in (1, 2):
        conn = getattr(_local, "conn", None)
        if conn is None:
            conn = _local.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        try:
            conn.request("POST", path, json.dumps(body).encode(), headers)
            response = conn.getresponse()
            data = response.read()
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                _local.conn = None
            return response.status, json.loads(data or b"{}")
        except (http.client.HTTPException, ConnectionError):
            conn.close()
            _local.conn = None
            if attempt == 2:
                raise
    raise AssertionError


def submission(i: int, keys: list[str]) -> float:
    token = keys[i % len(keys)]
    started = time.perf_counter()
    now = datetime.now(UTC)
    status, draft = post(
        "/api/v1/reports/",
        {
            "title": f"官网遭受攻击 {i}",
            "affected_systems": "门户网站",
            "discovered_at": (now - timedelta(minutes=20)).isoformat(),
            "location": "广州",
            "category": "0208",
            "severity_declared": "major",
            "impact_description": "业务中断，部分用户无法访问",
            "measures_taken": "已隔离受影响主机",
        },
        token,
    )
    assert status == 201, (status, draft)
    status, body = post(f"/api/v1/reports/{draft['id']}/submit/", {}, token)
    assert status == 200, (status, body)
    return time.perf_counter() - started


def bare(i: int, _keys) -> float:
    started = time.perf_counter()
    status, _body = post("/bench/bare/", {"title": f"bench {i}", "n": i})
    assert status == 201
    return time.perf_counter() - started


def run(fn, n: int, clients: int, keys) -> tuple[float, list[float]]:
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        times = list(pool.map(lambda i: fn(i, keys), range(n)))
    return n / (time.perf_counter() - started), times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument(
        "--full", action="store_true", help="ask for the full report in the answers"
    )
    args = parser.parse_args()
    global FULL_ANSWERS
    FULL_ANSWERS = args.full

    recreate_database(DB_NAME)
    sh("redis-cli", "-n", "8", "FLUSHDB", stdout=subprocess.DEVNULL)
    sh(PY, "manage.py", "migrate", "-v0")
    sh(PY, "manage.py", "seed_demo", stdout=subprocess.DEVNULL)
    keys = tokens()

    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "config.wsgi", "-w", str(args.workers)]
        + ["-b", f"127.0.0.1:{PORT}", "--log-level", "warning"],
        cwd=ROOT,
        env=ENV,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=2).request("GET", "/health/")
                break
            except OSError:
                time.sleep(0.2)
        run(submission, 100, args.clients, keys)  # warm-up: connections, caches
        run(bare, 500, args.clients, keys)

        # alternate, so that both see the same machine
        rounds = []
        for _ in range(2):
            bare_rate, bare_times = run(bare, args.submissions, args.clients, keys)
            rate, times = run(submission, args.submissions // 2, args.clients, keys)
            rounds.append((rate, times, bare_rate, bare_times))
        rate = statistics.median([r[0] for r in rounds])
        bare_rate = statistics.median([r[2] for r in rounds])
        times = [t for r in rounds for t in r[1]]
        bare_times = [t for r in rounds for t in r[3]]
        print(
            f"gunicorn {args.workers} sync workers, {args.clients} client threads, 2 rounds, "
            f"{'full' if args.full else 'short'} answers"
        )
        print(
            f"submissions (draft + submit): {rate:.0f}/s; per submission "
            f"p50 {statistics.median(times) * 1000:.0f} ms, "
            f"p95 {percentile(times, 95) * 1000:.0f} ms"
        )
        print(
            f"bare Django POST: {bare_rate:.0f}/s; p50 {statistics.median(bare_times) * 1000:.0f}"
            f" ms, p95 {percentile(bare_times, 95) * 1000:.0f} ms"
        )
        print(
            f"ratio submissions / bare POSTs: {rate / bare_rate:.3f} "
            f"(per request, a submission being two: {2 * rate / bare_rate:.3f})"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
