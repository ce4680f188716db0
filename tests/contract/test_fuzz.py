"""Schemathesis against our own OpenAPI schema: no 5xx on any endpoint and every documented
response conforms to the schema, for a staff member holding every role and for anonymous callers
wherever the schema lets them in; wherever it does not, whatever they send is refused with a 401."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


def anonymous_may_call(ctx: Any) -> bool:
    """The operation lists no security, or lists ``{}`` (anonymous) among its alternatives."""
    security = ctx.operation.definition.raw.get("security")
    return security is None or {} in security


def staff_only(ctx: Any) -> bool:
    return not anonymous_may_call(ctx)


HEALTH_CHECKS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much]
FUZZ_SETTINGS = settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=HEALTH_CHECKS)
# For an anonymous caller a staff-only operation has one path whatever the input: authentication
# refuses before the view reads it. A few generated inputs show that; schemathesis's coverage and
# schema examples (hypothesis's explicit phase) would walk that one path another dozen times.
REFUSAL_SETTINGS = settings(
    max_examples=3, phases=[Phase.generate], deadline=None, derandomize=True, suppress_health_check=HEALTH_CHECKS
)


@pytest.fixture
def every_role_token(make_staff) -> str:
    return make_staff("ADMIN", "MECHANIC", "CUSTOMER_SUPPORT", "CLERK", email="fuzz@autolab.test").token


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_no_server_error_for_staff(case, every_role_token: str, fake_stripe: object) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {every_role_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )


@pytest.mark.django_db
@schema.include(anonymous_may_call).parametrize()
@FUZZ_SETTINGS
def test_no_server_error_for_anonymous(case, fake_stripe: object) -> None:
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])


@pytest.mark.django_db
@schema.include(staff_only).parametrize()
@REFUSAL_SETTINGS
def test_staff_only_operations_refuse_anonymous_callers(case, fake_stripe: object) -> None:
    response = case.call()
    if response.status_code == 404:  # a generated path parameter that routes nowhere (e.g. "a/b")
        with pytest.raises(Resolver404):
            resolve(unquote(case.formatted_path))
        return
    assert response.status_code == 401, (case.method, case.formatted_path, response.status_code, response.text[:200])
    assert response.json()["success"] is False


def _labels(operations: Any) -> set[str]:
    return {result.ok().label for result in operations.get_all_operations()}


def test_the_anonymous_runs_cover_every_operation() -> None:
    """Every operation is fuzzed anonymously or checked for the 401: none falls between the two."""
    public = _labels(schema.include(anonymous_may_call))
    refused = _labels(schema.include(staff_only))
    every = _labels(schema)
    assert public
    assert refused
    assert public | refused == every
    assert not public & refused


@pytest.mark.parametrize(
    ("method", "path", "anonymous"),
    [
        ("POST", "/api/appointments", True),  # a customer books; support books for a caller
        ("GET", "/api/appointments", True),
        ("GET", "/api/appointments/{appointment_id}", True),
        ("PATCH", "/api/appointments/{appointment_id}", False),
        ("GET", "/api/unavailable-slots", True),
        ("POST", "/api/unavailable-slots", False),
        ("POST", "/api/inquiries", True),  # the contact form
        ("GET", "/api/inquiries", False),
    ],
)
def test_operations_open_to_customers_say_so_in_the_schema(method: str, path: str, anonymous: bool) -> None:
    """A view choosing its permission per method is documented per method (autolab.api.OpenAutoSchema)."""
    security = schema[path][method].definition.raw["security"]
    assert ({} in security) is anonymous
    assert {"tokenAuth": []} in security
