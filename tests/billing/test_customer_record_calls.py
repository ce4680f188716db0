"""The customer record page's DynamoDB calls (as ``make bench`` counts them): one Query or
BatchGetItem per kind of record, no Scan, whatever else the tables hold."""

from __future__ import annotations

from collections import Counter
from typing import Any

import botocore.client
import pytest
from django.test import Client

from bench.harness import count_dynamodb_calls
from tests.staffapp import portal_sweep

pytestmark = pytest.mark.django_db


def test_the_customer_record_page_reads_each_kind_once(make_staff: Any, monkeypatch: Any) -> None:
    admin = make_staff("ADMIN", "CUSTOMER_SUPPORT", name="Alex Admin")
    data = portal_sweep.seed(admin, make_staff("MECHANIC", name="Max Mechanic"))
    portal = Client()
    portal.login(username=admin.email, password=admin.password)
    url = f"/admin/customers/{data.customer_id}/record/"
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
