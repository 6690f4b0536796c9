"""One migrated test database with the world built in it, cloned for every pytest process.

Each pytest process (every xdist worker, and the integration run beside them) used to create
its test database by running every migration and building the world again: some 10 s of CPU
each, at the same time. Now the first process to arrive builds a template database
(`test_template_<key>`) under a lock, and every process clones it with PostgreSQL's
`CREATE DATABASE … TEMPLATE` (well under a second). The key is a hash of the code and data
the world is made from (every source and data file outside tests/ and bench/, and the
test files that build it), so a template of other code is never used: a change makes the
next run build a new one, and drop the old.
"""

import fcntl
import hashlib
from contextlib import contextmanager
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
LOCK = Path("/tmp/portal-test-template.lock")  # shared by every clone of the repository
PREFIX = "test_template_"
SOURCES = {".py", ".json", ".csv", ".txt", ".yaml", ".yml"}
SKIPPED = {"tests", "bench", "node_modules", "static", "var", "test-artifacts"}  # and dot-folders
BUILDERS = ("tests/conftest.py", "tests/template_db.py")


def key() -> str:
    """A hash of every source and data file the world could depend on."""
    digest = hashlib.sha256()
    tops = sorted(p for p in ROOT.iterdir() if p.name not in SKIPPED and p.name[0] != ".")
    for top in tops:
        found = top.rglob("*") if top.is_dir() else [top]
        for path in sorted(p for p in found if p.suffix in SOURCES):
            relative = path.relative_to(ROOT)
            if "__pycache__" not in relative.parts:
                digest.update(str(relative).encode())
                digest.update(path.read_bytes())
    for relative in BUILDERS:
        digest.update((ROOT / relative).read_bytes())
    return digest.hexdigest()[:16]


@contextmanager
def _locked():
    with LOCK.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _server(alias: str = "default") -> psycopg.Connection:
    """An autocommit connection to the server's maintenance database."""
    db = connections[alias].settings_dict
    return psycopg.connect(
        dbname="postgres",
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        autocommit=True,
    )


def _exists(server, name: str) -> bool:
    return bool(server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def _drop(server, name: str) -> None:
    server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _use(name: str) -> None:
    """Point the default connection (and the settings) at the database `name`."""
    connection = connections["default"]
    connection.close()
    settings.DATABASES["default"]["NAME"] = name
    connection.settings_dict["NAME"] = name


def clone_world(build) -> str:
    """Make this process's test database a clone of the template (built first, by `build()`,
    if there is none for this code), and point the connections at it. Returns its name."""
    connection = connections["default"]
    name = connection.creation._get_test_db_name()
    template = PREFIX + key()
    with _locked(), _server() as server:
        if not _exists(server, template):
            for (stale,) in server.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", [PREFIX + "%"]
            ).fetchall():
                _drop(server, stale)
            _build(server, template, build)
        _drop(server, name)
        server.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
    _use(name)
    for alias in connections:
        mirror = connections[alias].settings_dict.get("TEST", {}).get("MIRROR")
        if mirror == "default":
            connections[alias].close()
            connections[alias].creation.set_as_test_mirror(connection.settings_dict)
    return name


def _build(server, template: str, build) -> None:
    """Migrate a new database and build the world in it, under a working name renamed to the
    template's only when it is complete (a build that fails leaves no template behind)."""
    working = template + "_building"
    _drop(server, working)
    server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(working)))
    original = connections["default"].settings_dict["NAME"]
    _use(working)
    try:
        call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
        build()
    finally:
        _use(original)
    server.execute(
        sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
            sql.Identifier(working), sql.Identifier(template)
        )
    )
