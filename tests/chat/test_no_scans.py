"""Every chat request path reads by key or index: not one Scan."""

from __future__ import annotations

import pytest

from bench.harness import count_dynamodb_calls

pytestmark = pytest.mark.django_db


def test_chat_endpoints_never_scan(anon, support, new_customer):
    client = support.api()
    data = {"firstName": "Ann", "lastName": "Lee", "email": "ann@example.com", "message": "A quote please"}
    with count_dynamodb_calls() as calls:
        user_id = anon.post("/api/users/register", {"userName": "Ann"}, format="json").json()["userId"]
        anon.get("/api/users/check", {"userId": user_id})
        message_id = anon.post("/api/messages", {"clientId": user_id, "message": "hi"}, format="json").json()[
            "messageId"
        ]
        anon.get("/api/messages", {"clientId": user_id})
        client.post("/api/messages", {"clientId": user_id, "message": "hello"}, format="json")
        client.post("/api/messages/notify", {"status": "MESSAGE_VIEWED", "messageId": message_id}, format="json")
        anon.post(
            "/api/messages/notify",
            {"userId": user_id, "status": "MESSAGE_DELETED", "messageId": message_id},
            format="json",
        )
        client.get("/api/messages/last", {"filter": "unassigned"})
        client.get("/api/users/online")
        client.get("/api/users", {"search": "ann"})
        client.post("/api/users", {"userId": user_id, "userEmail": "ann@example.com"}, format="json")
        client.post("/api/users/take", {"clientId": user_id}, format="json")
        client.post("/api/users/release", {"clientId": user_id}, format="json")
        inquiry_id = anon.post("/api/inquiries", {"userId": user_id, "inquiryData": data}, format="json").json()[
            "inquiryId"
        ]
        client.get("/api/inquiries", {"startDate": "2020-01-01"})
        client.patch(f"/api/inquiries/{inquiry_id}", {"status": "IN_PROGRESS"}, format="json")
    assert sum(calls.values()) > 20
    assert calls["Scan"] == 0
