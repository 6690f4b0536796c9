"""Settings: which settings module each entry point uses when DJANGO_SETTINGS_MODULE is not
set, and the DEMO_TOTP default per settings module. Each case runs in a fresh interpreter,
with none of the portal's variables set but those the case names."""

import ast
import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR
PRODUCTION_VARIABLES = {
    "DJANGO_SECRET_KEY": "x" * 20 + "production-like-secret-key-of-enough-length-0123456789",
    "DJANGO_ALLOWED_HOSTS": "portal.example.gov.cn",
}


def variables_read_by_config() -> dict[str, str]:
    """Every `env.<type>("NAME", ...)` / `env("NAME", ...)` call under config/: name -> file."""
    found = {}
    for path in sorted((ROOT / "config").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            is_env = (isinstance(func, ast.Name) and func.id == "env") or (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "env"
                and func.attr != "read_env"
            )
            first = node.args[0]
            if is_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.setdefault(first.value, str(path.relative_to(ROOT)))
    return found


ENV_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=")


def env_example_variables() -> list[tuple[str, str]]:
    """(name, the line above it) for each `NAME=` or `# NAME=` line of `.env.example`."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    return [
        (m.group(1), lines[i - 1] if i else "")
        for i, line in enumerate(lines)
        if (m := ENV_LINE.match(line))
    ]


def run_python(code: str, tmp_path, **variables) -> subprocess.CompletedProcess:
    """Run `python -c code` from the project root in a new interpreter whose environment
    has none of the portal's variables (nor DJANGO_SETTINGS_MODULE) but `variables`."""
    return run([sys.executable, "-c", code], tmp_path, **variables)


def run(args: list[str], tmp_path, **variables) -> subprocess.CompletedProcess:
    portal = set(variables_read_by_config()) | {"DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in portal}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' plugin
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'settings.sqlite3'}"
    env.update(variables)
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)


SHOW_SETTINGS = "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"


@pytest.mark.parametrize("entry_point", ["config.wsgi", "config.celery"])
def test_the_wsgi_application_and_the_celery_app_default_to_production(entry_point, tmp_path):
    result = run_python(f"import {entry_point}; {SHOW_SETTINGS}", tmp_path, **PRODUCTION_VARIABLES)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.settings.production", "False"]


def test_a_wsgi_application_without_production_variables_refuses_to_start(tmp_path):
    """gunicorn started with no settings at all must not serve the portal with debug pages."""
    result = run_python("import config.wsgi", tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_the_celery_cli_loads_production_settings_by_default(tmp_path):
    """What `celery -A config worker` does first: find the app and read its configuration."""
    code = (
        "from celery.app.utils import find_app; app = find_app('config'); "
        "print(app.conf.task_acks_late); " + SHOW_SETTINGS
    )
    result = run_python(code, tmp_path, **PRODUCTION_VARIABLES)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "config.settings.production", "False"]


def test_manage_py_defaults_to_local_settings_with_debug_off(tmp_path):
    """`make run` shows the portal's own error pages, not Django's debug pages."""
    result = run([sys.executable, "manage.py", "shell", "-v", "0", "-c", SHOW_SETTINGS], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.settings.local", "False"]


def test_local_settings_turn_debug_on_with_django_debug(tmp_path):
    command = [sys.executable, "manage.py", "shell", "-v", "0", "-c", SHOW_SETTINGS]
    result = run(command, tmp_path, DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.settings.local", "True"]


def test_local_settings_serve_static_files_with_debug_off(tmp_path):
    """WhiteNoise serves the stylesheet from the source folders, no collectstatic run."""
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/static/css/portal.css', HTTP_HOST='localhost'); "
        "from django.conf import settings; print(settings.DEBUG, r.status_code, "
        "b''.join(r.streaming_content).startswith(b'/*'))"
    )
    result = run_python(code, tmp_path, DJANGO_SETTINGS_MODULE="config.settings.local")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "200", "True"]


def test_every_procfile_process_names_local_settings():
    processes = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            processes[name] = command.strip()
    assert set(processes) == {"web", "worker", "clocks", "beat"}
    for name, command in processes.items():
        assert command.startswith("DJANGO_SETTINGS_MODULE=config.settings.local "), name


DEMO_TOTP_CASES = [
    ("config.settings.base", None, False),
    ("config.settings.base", "true", True),
    ("config.settings.local", None, True),
    ("config.settings.local", "false", False),
    ("config.settings.test", None, True),
    ("config.settings.test", "false", True),
    ("config.settings.production", None, False),
    ("config.settings.production", "true", False),
]

# One fresh interpreter imports each settings module in turn, each time from the same clean
# environment plus the case's variables, with every settings module forgotten in between
# (a new interpreter per case cost a second and a half each).
DEMO_TOTP_SCRIPT = """
import importlib, json, os, sys
clean = dict(os.environ)
cases = json.loads(sys.argv[1])
for module, variables in cases:
    os.environ.clear()
    os.environ.update(clean, **variables)
    for name in [m for m in sys.modules if m.startswith("config.settings")]:
        del sys.modules[name]
    print(importlib.import_module(module).DEMO_TOTP)
"""


@pytest.fixture(scope="module")
def demo_totp_of(tmp_path_factory):
    """{(module, DEMO_TOTP or None): the DEMO_TOTP that module's settings end with}."""
    cases = []
    for module, demo_totp, _ in DEMO_TOTP_CASES:
        variables = dict(PRODUCTION_VARIABLES) if module.endswith("production") else {}
        if module.endswith("test"):
            variables["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/portal"  # not opened
        if demo_totp is not None:
            variables["DEMO_TOTP"] = demo_totp
        cases.append((module, variables))
    result = run(
        [sys.executable, "-c", DEMO_TOTP_SCRIPT, json.dumps(cases)], tmp_path_factory.mktemp("s")
    )
    assert result.returncode == 0, result.stderr
    values = result.stdout.split()
    assert len(values) == len(DEMO_TOTP_CASES), result.stdout
    cases = zip(DEMO_TOTP_CASES, values, strict=True)
    return {(module, totp): value for (module, totp, _), value in cases}


@pytest.mark.parametrize("module, demo_totp, expected", DEMO_TOTP_CASES)
def test_demo_authenticators_are_off_unless_local_or_test(
    module, demo_totp, expected, demo_totp_of
):
    assert demo_totp_of[module, demo_totp] == str(expected)


def test_the_settings_read_the_variables_this_test_expects():
    """The parser finds the settings' reads (a check that it is not silently empty)."""
    read = variables_read_by_config()
    assert {"DATABASE_URL", "DJANGO_SECRET_KEY", "DEMO_TOTP", "DJANGO_READ_DOT_ENV_FILE"} <= set(
        read
    )
    assert read["DJANGO_SECURE_HSTS_SECONDS"] == "config/settings/production.py"


def test_env_example_lists_every_variable_the_settings_read():
    listed = {name for name, _ in env_example_variables()}
    missing = {
        name: path for name, path in variables_read_by_config().items() if name not in listed
    }
    assert not missing, f"not in .env.example: {missing}"
    assert "DJANGO_SETTINGS_MODULE" in listed


def test_env_example_lists_nothing_that_is_not_read():
    """A name not read through `env` must at least appear in an entry point that reads it."""
    read = set(variables_read_by_config())
    entry_points = "".join(
        (ROOT / name).read_text()
        for name in ("manage.py", "config/wsgi.py", "config/celery.py", "Makefile", "Procfile")
    )
    stale = [n for n, _ in env_example_variables() if n not in read and n not in entry_points]
    assert not stale, f"read by nothing: {stale}"


def test_every_variable_in_env_example_has_a_comment_line_above_it():
    for name, above in env_example_variables():
        assert above.startswith("# ") and not ENV_LINE.match(above), name


def test_postgresql_connections_prepare_statements_unless_told_not_to(tmp_path):
    """Server-side binding and psycopg's prepared statements after DATABASE_PREPARE_THRESHOLD
    runs (default 5); "none" for a pooler that does not keep them. Read in one interpreter."""
    code = """
import importlib, os
os.environ["DATABASE_URL"] = "postgres://portal@db.example:5432/portal"
from config.settings import base
for value in ("", "2", "none"):
    os.environ.pop("DATABASE_PREPARE_THRESHOLD", None)
    if value:
        os.environ["DATABASE_PREPARE_THRESHOLD"] = value
    options = importlib.reload(base).DATABASES["default"]["OPTIONS"]
    print(options["server_side_binding"], options["prepare_threshold"])
"""
    result = run_python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True 5", "True 2", "True None"]
