"""Every staff endpoint and every portal page, for anonymous callers, a customer and each role:
who may enter is exactly what the permission table says (original-backend-behaviour.md §2 with the
changes of ARCHITECTURE §5)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client

from autolab.permissions import PERMISSIONS, Permission, Role
from chat.services import customer_register
from staffapp.sites import portal_site

P = Permission
# (method, path, permission) for every endpoint that only staff may call.
STAFF_ENDPOINTS = [
    ("get", "/api/auth/me", None),
    ("get", "/api/prices", P.PRICES_VIEW),
    ("post", "/api/unavailable-slots", P.SLOTS_MANAGE),
    ("post", "/api/upload-urls", P.REPORT_UPLOAD),
    ("get", "/api/inspection-templates", None),
    ("post", "/api/inspection-templates", P.INSPECTION_TEMPLATES_MANAGE),
    ("get", "/api/inspection-templates/unknown-id", None),
    ("put", "/api/inspection-templates/unknown-id", P.INSPECTION_TEMPLATES_MANAGE),
    ("post", "/api/appointments/unknown-id/inspection", P.INSPECTION_FILL),
    ("get", "/api/appointments/unknown-id/inspection", None),
    ("patch", "/api/appointments/unknown-id/inspection", P.INSPECTION_FILL),
    ("put", "/api/appointments/unknown-id/inspection/items/body-01", P.INSPECTION_FILL),
    ("post", "/api/appointments/unknown-id/inspection/items/body-01/photos", P.INSPECTION_FILL),
    ("delete", "/api/appointments/unknown-id/inspection/items/body-01/photos/p1", P.INSPECTION_FILL),
    ("post", "/api/appointments/unknown-id/inspection/submit", P.INSPECTION_FILL),
    ("get", "/api/inspections?vin=JTDBZ3FH0K1234567", None),
    ("get", "/api/inspections/compare?a=unknown-a&b=unknown-b", None),
    ("post", "/api/payments/confirm", P.PAYMENT_CONFIRM_MANUAL),
    ("get", "/api/payments/invoices", P.INVOICE_VIEW),
    ("post", "/api/payments/invoices", P.INVOICE_CREATE_MANUAL),
    ("patch", "/api/payments/invoices", P.INVOICE_CANCEL),
    ("get", "/api/analytics", P.ANALYTICS_VIEW),
    ("get", "/api/customers/unknown-id/export", P.CUSTOMER_PRIVACY),
    ("post", "/api/customers/unknown-id/anonymise", P.CUSTOMER_PRIVACY),
    ("get", "/api/users", P.USERS_VIEW),
    ("post", "/api/users", P.CUSTOMER_EDIT),
    ("get", "/api/users/online", P.CHAT_INBOX),
    ("post", "/api/users/take", P.CUSTOMER_TAKE),
    ("post", "/api/users/release", P.CUSTOMER_TAKE),
    ("post", "/api/users/staff", P.STAFF_MANAGE),
    ("get", "/api/messages/last", P.CHAT_INBOX),
    ("get", "/api/inquiries", P.INQUIRY_VIEW),
    ("get", "/api/emails", P.EMAIL_VIEW),
    ("post", "/api/emails", P.EMAIL_SEND),
    ("get", "/api/email-suppression/list", P.EMAIL_VIEW),
    ("get", "/api/email-suppression/check", P.EMAIL_VIEW),
    ("post", "/api/email-suppression/add", P.EMAIL_SUPPRESSION_MANAGE),
    ("get", "/api/email-suppression/analytics", P.EMAIL_VIEW),
    ("get", "/api/attachments", P.EMAIL_VIEW),
    ("get", "/api/attachments/unknown-id", P.EMAIL_VIEW),
    ("delete", "/api/attachments/unknown-id", P.EMAIL_VIEW),
]


def _allowed(permission: Permission | None) -> frozenset[Role]:
    return frozenset(Role) if permission is None else PERMISSIONS[permission]


@pytest.fixture
def personas(make_staff) -> dict[Role, object]:
    return {role: make_staff(role.value) for role in Role}


@pytest.mark.parametrize(("method", "path", "permission"), STAFF_ENDPOINTS)
def test_staff_endpoints(method: str, path: str, permission: Permission | None, personas, anon) -> None:
    customer = customer_register().user_id
    for response in (
        getattr(anon, method)(path, format="json"),
        getattr(anon, method)(f"{path}?userId={customer}", {"userId": customer}, format="json"),
    ):
        assert response.status_code == 401, (path, response.status_code)
        assert response.json()["success"] is False
    for role, persona in personas.items():
        response = getattr(persona.api(), method)(path, {}, format="json")
        assert response.status_code < 500, (path, role, response.content[:300])
        if role in _allowed(permission):
            assert response.status_code not in (401, 403), (path, role, response.content[:300])
        else:
            assert response.status_code == 403, (path, role, response.status_code)


def _url(route: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(uuid.uuid4()), route)


def test_every_portal_page(personas, db) -> None:
    pages = portal_site.pages()
    assert len(pages) >= 15, "every app registers its pages"
    anonymous = Client()
    for page in pages:
        url = f"/admin/{_url(page.route)}"
        response = anonymous.get(url)
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].startswith("/admin/login/")
    for role, persona in personas.items():
        client = Client()
        assert client.login(username=persona.email, password=persona.password)
        for page in pages:
            url = f"/admin/{_url(page.route)}"
            response = client.get(url)
            assert response.status_code < 500, (url, role, response.status_code)
            if page.allowed_for(persona.identity):
                assert response.status_code in (200, 302, 404, 405), (url, role, response.status_code)
            else:
                assert response.status_code == 403, (url, role, response.status_code)
