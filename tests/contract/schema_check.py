"""Check a real response against the OpenAPI schema: the documented body of its status, field by field.

The fuzz tests rarely reach a success (their ids are random); these checks call each endpoint the
way the website does and hold the schema to the bodies it actually gets.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import requests
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from schemathesis.core.transport import Response


@cache
def _schema() -> Any:
    # The schema the /api/schema/ view serves, generated directly: fetching it through the WSGI
    # handler would touch the auth database, which a test without the db fixture may not.
    return schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


def assert_documented(response: Any, method: str, path: str) -> None:
    """``response`` (a Django test response of ``method path``, ``path`` as the schema spells it,
    e.g. ``/api/emails/{email_id}``) has a documented status and its body matches that response."""
    operation = _schema()[path][method.upper()]
    documented = operation.definition.raw["responses"]
    assert str(response.status_code) in documented, (method, path, response.status_code, sorted(documented))
    request = requests.Request(method.upper(), f"http://testserver{path}").prepare()
    headers = {name: [value] for name, value in response.headers.items()}
    converted = Response(
        status_code=response.status_code,
        headers=headers,
        content=response.content,
        request=request,
        elapsed=0.0,
        verify=True,
    )
    operation.validate_response(converted)
