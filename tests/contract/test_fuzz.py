"""Schemathesis against our own OpenAPI schema: no 5xx on any endpoint and every documented
response conforms to the schema, for anonymous callers and for a staff member holding every role."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())

FUZZ_SETTINGS = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
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
@schema.parametrize()
@FUZZ_SETTINGS
def test_no_server_error_for_anonymous(case, fake_stripe: object) -> None:
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
