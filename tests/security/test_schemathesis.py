"""Property-based API tests against the OpenAPI schema (schemathesis 4), in-process through
the Django WSGI application, as each role: every operation, every role, no server error
(5xx) and every response conforming to the schema.

The path ids are drawn from a small world of real reports and attachments (some visible to
the role, some not) so that the generated requests reach the services, not only the 404.

A bounded, derandomised number of examples runs here (`SCHEMATHESIS_EXAMPLES`, default 8
per operation and role); `make fuzz` runs many more, random ones (`FUZZ_EXAMPLES`, default
200)."""

import json
import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))
ROLES = (
    "operator-general",
    "operator-cii",
    "reviewer-gd",
    "national",
    "police-liaison",
    "intake-12387",
    "anonymous",
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


schema = schemathesis.openapi.from_dict(_openapi())
schema.app = get_wsgi_application()


@pytest.fixture(params=ROLES)
def role(request):
    return request.param


@pytest.fixture
def auth_headers(role, demo):
    if role == "anonymous":
        return {}
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=demo[role])
    return {"Authorization": f"Token {token.key}"}


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


@pytest.mark.django_db(transaction=False)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("SCHEMATHESIS_RANDOM") != "1",
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, role, auth_headers, ids, keep_connection):
    for name, choices in ids.items():
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = _pick(case.path_parameters[name], choices)
    case.call_and_validate(headers=auth_headers, checks=CHECKS)
