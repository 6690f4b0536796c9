"""Property-based API tests against the OpenAPI schema (schemathesis 4), in-process through
the Django WSGI application: no server error (5xx), and every response conforming to the
schema.

Two phases, each run where it finds something:
* **Fuzzing** (`test_api_conforms_to_its_schema`): every operation as every role, with the
  schema's own examples and a bounded, derandomised number of generated requests
  (`SCHEMATHESIS_EXAMPLES`, default 8 per operation and role).
* **Coverage** (`test_boundaries_as_<role>`): schemathesis's boundary and negative cases for
  every parameter and body field (about 85 per operation), run once per operation, as the
  role it is for (`COVERAGE_AS`, from docs/ARCHITECTURE.md "Actors"), where the input
  reaches validation and the services. The other roles send the fuzzing phase's cases to
  the same operation; those it refuses are answered 401/403 before their input is read (DRF
  checks permissions before the handler runs), and that every role is refused where it
  should be is the permission matrix's check (test_permission_matrix.py). `make fuzz` runs
  both phases as every role, with many random examples (`FUZZ_EXAMPLES`, default 200).

The path ids are drawn from a small world of real reports and attachments (some visible to
the role, some not) so that the generated requests reach the services, not only the 404."""

import json
import os
import re

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))
RANDOM = os.environ.get("SCHEMATHESIS_RANDOM") == "1"  # `make fuzz`
ROLES = (
    "operator-general",
    "operator-cii",
    "reviewer-gd",
    "national",
    "police-liaison",
    "intake-12387",
    "anonymous",
)
# Whom each operation is for ("METHOD path" patterns, first match wins): the coverage phase
# runs as that role.
COVERAGE_AS = (
    (r"POST /api/v1/auth/token/", "anonymous"),
    (r"\w+ /api/v1/(inbox|intake)/", "intake-12387"),
    (r"POST /api/v1/reports/\{id\}/acknowledge/", "national"),
    (
        r"POST /api/v1/reports/\{id\}/(assign|claim|close|findings|forward|grade|notify"
        r"|request-info)/",
        "reviewer-gd",
    ),
    (r"POST /api/v1/required-reports/", "reviewer-gd"),
    (r"GET /api/v1/stats/", "national"),
    (r"\w+ /api/v1/(reports|notifications|categories)/", "operator-general"),
)
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


def _openapi() -> dict:
    """The schema the portal serves at /api/schema/, generated in-process (no request, no
    database) and turned into plain JSON."""
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(raw))


def _schema(*, coverage: bool, fuzzing: bool):
    phases = {  # the schema's own examples go with the fuzzing phase
        "coverage": {"enabled": coverage},
        "fuzzing": {"enabled": fuzzing},
        "examples": {"enabled": fuzzing},
    }
    loaded = schemathesis.openapi.from_dict(
        OPENAPI, config=SchemathesisConfig.from_dict({"phases": phases})
    )
    loaded.app = APP
    return loaded


def covered_as(label: str) -> tuple:
    """The roles the coverage phase of the operation `label` ("METHOD path") runs as."""
    if RANDOM:
        return ROLES
    for pattern, role in COVERAGE_AS:
        if re.match(pattern, label):
            return (role,)
    raise AssertionError(f"{label}: say in COVERAGE_AS whom this operation is for")


OPENAPI = _openapi()
APP = get_wsgi_application()
schema = _schema(coverage=RANDOM, fuzzing=True)


def headers_for(role, demo) -> dict:
    if role == "anonymous":
        return {}
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=demo[role])
    return {"Authorization": f"Token {token.key}"}


@pytest.fixture(params=ROLES)
def role(request):
    return request.param


@pytest.fixture
def auth_headers(role, demo):
    return headers_for(role, demo)


@pytest.fixture
def keep_connection():
    """The real WSGI handler closes the database connection when a request finishes, which
    would end the test's transaction; Django's test client unhooks it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def ids(world):
    """Real report and attachment ids (visible to some roles, not to others), and one that
    does not exist."""
    reports = [case.report.pk for case in world]
    attachments = [case.attachment.pk for case in world]
    return {"id": [*reports, max(reports) + 10_000], "aid": [*attachments, 0]}


def _pick(value, choices):
    if isinstance(value, int) and not isinstance(value, bool):
        return choices[value % len(choices)]
    return value  # a string or other type the generator chose: keep it (a 404 is fine)


def call_and_validate(case, headers, ids):
    for name, choices in ids.items():
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = _pick(case.path_parameters[name], choices)
    case.call_and_validate(headers=headers, checks=CHECKS)


BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.django_db(transaction=False)
@schema.parametrize()
@BOUNDED
def test_api_conforms_to_its_schema(case, role, auth_headers, ids, keep_connection):
    call_and_validate(case, auth_headers, ids)


def _boundaries_test(role):
    """The coverage phase of the operations that are for `role`, sent as `role`."""
    boundaries = _schema(coverage=True, fuzzing=False).include(
        lambda ctx: role in covered_as(ctx.operation.label)
    )

    @pytest.mark.django_db(transaction=False)
    @pytest.mark.parametrize("role", [role])  # names the role in the test's id
    @boundaries.parametrize()
    @BOUNDED
    def test(case, role, demo, ids, keep_connection):
        call_and_validate(case, headers_for(role, demo), ids)

    test.__name__ = test.__qualname__ = f"test_boundaries_as_{role.replace('-', '_')}"
    return test


if not RANDOM:  # under `make fuzz` the test above runs the coverage phase as every role
    for _role in dict.fromkeys(role for _, role in COVERAGE_AS):
        _test = _boundaries_test(_role)
        globals()[_test.__name__] = _test
