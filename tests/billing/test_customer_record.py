"""The customer record page without a browser: each kind is shown to the staff who may open its
pages, the privacy actions to an admin only, an unknown customer is a 404, and the export is a
JSON download."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from tests.staffapp import portal_sweep

pytestmark = pytest.mark.django_db


def _client(persona: Any) -> Client:
    client = Client()
    assert client.login(username=persona.email, password=persona.password)
    return client


def _kinds(html: str) -> set[str]:
    return set(re.findall(r'data-kind="(\w+)"', html))


def test_each_kind_is_shown_to_whom_may_open_it_and_privacy_to_an_admin(make_staff: Any) -> None:
    admin = make_staff("ADMIN", "CUSTOMER_SUPPORT", name="Alex Admin")
    data = portal_sweep.seed(admin, make_staff("MECHANIC", name="Max Mechanic"))
    url = f"/admin/customers/{data.customer_id}/record/"

    full = _client(admin).get(url)
    assert full.status_code == 200
    assert _kinds(full.content.decode()) == {"Booking", "Order", "Payment", "Invoice", "Chat", "Email", "Inquiry"}
    assert 'id="action-anonymise"' in full.content.decode()

    clerk = _client(make_staff("CLERK", name="Cleo Clerk")).get(url).content.decode()
    assert _kinds(clerk) == {"Booking", "Order", "Chat", "Inquiry"}  # no invoices, payments or mailbox
    assert "action-export" not in clerk
    assert "action-anonymise" not in clerk

    assert _client(admin).get("/admin/customers/no-such-customer/record/").status_code == 404


def test_the_export_is_a_json_download(make_staff: Any) -> None:
    admin = make_staff("ADMIN", "CUSTOMER_SUPPORT", name="Alex Admin")
    data = portal_sweep.seed(admin, make_staff("MECHANIC", name="Max Mechanic"))
    response = _client(admin).post(f"/admin/customers/{data.customer_id}/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="customer-{data.customer_id}.json"'
    assert json.loads(response.content)["customerId"] == data.customer_id
