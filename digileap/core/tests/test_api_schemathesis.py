"""Schemathesis over every operation of the OpenAPI schema: the API answers as it describes itself.

The schema is generated in-process (drf-spectacular) and every operation is called against the
WSGI application (no server), signed in as an administrator by token, on a small world of data
(the ``world`` and ``role_users`` fixtures plus a programme, an allocation round, a device and a
funding call so that list responses carry rows). Writes (POST/PUT/PATCH/DELETE) run too, inside
the test's transaction.

Generation is bounded and deterministic: the examples and fuzzing phases only (the coverage phase
alone sends hundreds of boundary cases per operation), ``MAX_EXAMPLES`` per operation,
``derandomize=True``, no deadline, no example database.

Checks: ALL of schemathesis' built-in checks (``ALL_CHECKS`` below, asserted against the
registry so that a new schemathesis version's new check is not silently skipped).

Known failures: ``KNOWN_FAILURES`` maps an operation ("METHOD /path") to the checks skipped for it
and why, and ``BODY_METHODS_SKIP`` names the one check skipped on writes with a body (with the
reason); everything else runs everywhere.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.pytest.lazy import get_all_tests

from digileap.accounts.models import Role

MAX_EXAMPLES = 5
TOKEN = "schemathesis0administrator0token00000000"  # 40 characters, the Token key's length.
AUTH = {"Authorization": f"Token {TOKEN}"}

# Every check schemathesis 4 has: response checks and the ones that send extra requests
# (ignored_auth drops the token, unsupported_method tries other verbs, missing_required_header
# drops headers, use_after_free / ensure_resource_availability follow a DELETE / a POST,
# object_level_authorization compares callers).
ALL_CHECK_NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
    "object_level_authorization",
)

# Explicit, listed exclusions ("METHOD /path" -> (checks skipped for that operation, reason)).
# positive_data_acceptance expects every schema-valid request to succeed; these operations refuse
# some schema-valid requests for reasons no OpenAPI schema can express:
KNOWN_FAILURES: dict[str, tuple[tuple[str, ...], str]] = {
    "GET /api/purchase-orders/ordered-versus-allocated/": (
        ("positive_data_acceptance",),
        "?programme= must name an existing programme (400 'Invalid pk'); generated ids name none",
    ),
    "GET /api/schools/": (
        ("positive_data_acceptance",),
        "?authority= and ?operator= must name an existing row (400 'Select a valid choice')",
    ),
    "GET /api/training-courses/": (
        ("positive_data_acceptance",),
        "?provider= and ?area= must name an existing row (400 'Select a valid choice')",
    ),
    "DELETE /api/role-assignments/{id}/": (
        ("positive_data_acceptance",),
        "the administrator may not revoke their own last people-managing role (400, by design)",
    ),
}
# ... and every write with a body (POST, PUT, PATCH): its references are ids of existing rows, its
# values obey cross-field rules and states (a plan in draft, a call open); generated values meet
# neither, so a 400 there is correct. Every other check still runs on these operations.
BODY_METHODS_SKIP = ("positive_data_acceptance",)
BODY_METHODS = ("POST", "PUT", "PATCH")


def skipped_checks(method: str, path: str) -> tuple[str, ...]:
    skipped = KNOWN_FAILURES.get(f"{method.upper()} {path}", ((), ""))[0]
    if method.upper() in BODY_METHODS:
        skipped = (*skipped, *BODY_METHODS_SKIP)
    return skipped


def _all_checks() -> list[Any]:
    load_all_checks()
    return [CHECKS.get_one(name) for name in ALL_CHECK_NAMES]


def generated_schema() -> dict[str, Any]:
    """The schema as /api/schema/ serves it, as plain JSON types."""
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(raw, renderer_context={}))


CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 15,
        "suppress-health-check": ["all"],
        "phases": {
            "examples": {"enabled": True},
            "fuzzing": {"enabled": True},
            "coverage": {"enabled": False},
            "stateful": {"enabled": False},
        },
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
    }
)


@pytest.fixture
def _keep_the_test_connection():
    """Requests through the WSGI application end with ``close_old_connections``, which closes a
    connection that saw a database error: the test's transaction with it. Django's test client
    disconnects it for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_world(role_users, world, _keep_the_test_connection):
    """The administrator's token and a few objects per app, so that lists carry rows."""
    from digileap.allocation.tests.factories import AllocationRoundFactory
    from digileap.devices.tests.factories import DeviceFactory, RecipientFactory
    from digileap.funding.tests.factories import CallFactory
    from digileap.programmes.tests.factories import ProgrammeFactory

    Token.objects.create(user=role_users[Role.ADMINISTRATOR], key=TOKEN)
    programme = ProgrammeFactory(authority=world.authority)
    AllocationRoundFactory(programme=programme)
    DeviceFactory(programme=programme, school=world.school)
    RecipientFactory(school=world.school)
    CallFactory(programme=programme)
    return world


def _call_and_validate(case: schemathesis.Case) -> None:
    skipped = skipped_checks(case.method, case.path)
    checks = [check for name, check in zip(ALL_CHECK_NAMES, _all_checks(), strict=True) if name not in skipped]
    # Each case starts from the same world: its writes, and a database error's aborted
    # transaction on PostgreSQL, are rolled back before the next case.
    savepoint = transaction.savepoint()
    try:
        case.call_and_validate(headers=AUTH, checks=checks)
    finally:
        transaction.savepoint_rollback(savepoint)
        transaction.set_rollback(False)


def test_every_check_schemathesis_has_runs():
    load_all_checks()
    assert sorted(CHECKS.get_all_names()) == sorted(ALL_CHECK_NAMES)


def test_the_api_answers_as_its_schema_says(api_world):
    """Every operation, every check; the failures are collected and shown together.

    (schemathesis' own ``from_fixture(...).parametrize()`` relies on a pytest internal that
    pytest 9.2 no longer has, so the operations' Hypothesis tests are built with the same
    function it uses, ``get_all_tests``, and run here one by one.)"""
    schema = schemathesis.openapi.from_dict(generated_schema(), config=CONFIG)
    schema.app = get_wsgi_application()
    hypothesis_settings = settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    trace = os.environ.get("DIGILEAP_SCHEMATHESIS_TRACE")
    failures: dict[str, str] = {}
    ran = 0
    for result in get_all_tests(
        schema=schema, test_func=_call_and_validate, settings=hypothesis_settings, given_kwargs={}
    ):
        operation, test = result.ok()
        ran += 1
        try:
            test()
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - every failure is collected and reported
            failures[operation.label] = str(error)
        if trace:
            with open(trace, "a") as stream:
                stream.write(
                    f"{operation.label}: {'FAIL ' + failures[operation.label] if operation.label in failures else 'ok'}\n"
                )
    assert ran == len([op for item in generated_schema()["paths"].values() for op in item.values()])
    assert failures == {}, "\n\n".join(f"{label}\n{message}" for label, message in failures.items())


def test_every_property_of_every_component_has_a_description():
    offenders = [
        f"{name}.{field}"
        for name, component in generated_schema()["components"]["schemas"].items()
        for field, definition in component.get("properties", {}).items()
        if not definition.get("description")
    ]
    assert offenders == []


def test_every_operation_declares_its_error_answers_and_64_bit_integers():
    paths = generated_schema()["paths"]
    operations = [operation for item in paths.values() for operation in item.values()]
    assert len(operations) > 200
    for operation in operations:
        assert {"400", "401", "403", "404", "413", "415", "429"} <= set(operation["responses"])
    school = paths["/api/schools/{id}/"]["get"]
    (identifier,) = [parameter for parameter in school["parameters"] if parameter["name"] == "id"]
    assert identifier["schema"] == {
        "description": "Identifier of the record.",
        "type": "integer",
        "format": "int64",
        "minimum": -(2**63),
        "maximum": 2**63 - 1,
    }
