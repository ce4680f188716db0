"""The customer record page without a browser: each kind is shown to the staff who may open its
pages, the privacy actions to an admin only, an unknown customer is a 404, the export is a JSON
download, and the page reads each kind with one call (as ``make bench`` counts them), no Scan."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import botocore.client
import pytest

from bench.harness import count_dynamodb_calls
from tests.staffapp import portal_sweep

pytestmark = pytest.mark.django_db


def _kinds(html: str) -> set[str]:
    return set(re.findall(r'data-kind="(\w+)"', html))


def test_each_kind_is_shown_to_whom_may_open_it_privacy_to_an_admin_and_each_kind_is_read_once(
    make_staff: Any, monkeypatch: Any
) -> None:
    admin = make_staff("ADMIN", "CUSTOMER_SUPPORT", name="Alex Admin")
    data = portal_sweep.seed(admin, make_staff("MECHANIC", name="Max Mechanic"))
    url = f"/admin/customers/{data.customer_id}/record/"

    full = admin.portal().get(url)
    assert full.status_code == 200
    assert _kinds(full.content.decode()) == {"Booking", "Order", "Payment", "Invoice", "Chat", "Email", "Inquiry"}
    assert 'id="action-anonymise"' in full.content.decode()

    clerk = make_staff("CLERK", name="Cleo Clerk").portal().get(url).content.decode()
    assert _kinds(clerk) == {"Booking", "Order", "Chat", "Inquiry"}  # no invoices, payments or mailbox
    assert "action-export" not in clerk
    assert "action-anonymise" not in clerk

    assert admin.portal().get("/admin/customers/no-such-customer/record/").status_code == 404

    response = admin.portal().post(f"/admin/customers/{data.customer_id}/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="customer-{data.customer_id}.json"'
    assert json.loads(response.content)["customerId"] == data.customer_id

    # The page's DynamoDB calls, as ``make bench`` counts them: one per kind of record, no Scan.
    portal = admin.portal()
    assert portal.get(url).status_code == 200  # sessions and caches warm, as a running portal has them

    read: list[tuple[str, str]] = []
    real = botocore.client.BaseClient._make_api_call  # type: ignore[attr-defined]

    def spy(client: Any, operation: str, params: dict[str, Any]) -> Any:
        table = params.get("TableName") or ",".join(params.get("RequestItems", {}))
        read.append((operation, params.get("IndexName") or table.rsplit("-", 1)[0]))
        return real(client, operation, params)

    with count_dynamodb_calls() as calls:
        monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", spy)
        response = portal.get(url)
        monkeypatch.undo()
    assert response.status_code == 200
    assert calls["Scan"] == 0
    # The staff member and the customer; appointments and orders (both createdUserId-index), card
    # payments, the records' invoices in one batch, chat, inquiries, emails of the one address;
    # and the header's badges every portal page shows (unread chats, open inquiries).
    assert sorted(read) == [
        ("BatchGetItem", "Invoices"),
        ("GetItem", "Staff"),
        ("GetItem", "Users"),
        ("Query", "clientId-sentAtMs-index"),
        ("Query", "contactEmail-createdAt-index"),
        ("Query", "createdUserId-index"),
        ("Query", "createdUserId-index"),
        ("Query", "inboxKey-lastMessageAtMs-index"),
        ("Query", "status-createdAt-index"),
        ("Query", "userId-createdAt-index"),
        ("Query", "userId-index"),
    ]
    assert calls == Counter({"Query": 8, "GetItem": 2, "BatchGetItem": 1})
