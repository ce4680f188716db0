"""Staff mailbox: read threads and emails, send (threaded replies), flag; roles enforced."""

from __future__ import annotations

import base64

import pytest
from django.core import mail

from emails import services, suppression
from tests.emails.test_sending import ORDER


def _send(client, **body) -> object:
    return client.post(
        "/api/emails", {"to": "customer@example.com", "subject": "Your car", "text": "Hello", **body}, format="json"
    )


def test_support_sends_an_email_that_is_recorded_and_delivered(support):
    response = _send(
        support.api(), to=["Customer@Example.com"], text="Your car is ready.\n<b>Not bold</b>", cc=["boss@example.com"]
    )

    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Email sent successfully"
    assert body["recipients"] == ["customer@example.com"]
    assert body["status"] == "sent"
    [message] = mail.outbox
    assert message.subject == "Your car"
    assert message.to == ["customer@example.com"]
    assert message.cc == ["boss@example.com"]
    assert message.extra_headers["Message-ID"] == f"<{body['messageId']}@autolabsolutions.com>"
    html = message.alternatives[0][0]
    assert "&lt;b&gt;Not bold&lt;/b&gt;" in html
    assert "Hi Customer," in html
    assert "Sue from Auto Lab Solutions" in html
    detail = support.api().get(f"/api/emails/{body['messageId']}").json()
    assert detail["email"]["emailType"] == "admin_message"
    assert detail["email"]["tags"] == ["sent"]
    assert detail["email"]["sentBy"] == support.email


def test_a_reply_is_threaded_with_in_reply_to_and_references(support):
    first = _send(support.api(), subject="Inspection booking").json()
    second = _send(support.api(), subject="Inspection booking", in_reply_to_message_id=first["messageId"]).json()
    third = _send(support.api(), subject="RE: Inspection booking", in_reply_to_message_id=second["messageId"]).json()

    assert first["threadId"] == second["threadId"] == third["threadId"]
    reply = mail.outbox[2]
    assert reply.subject == "RE: Inspection booking"  # never "Re: RE: ..."
    assert mail.outbox[1].subject == "Re: Inspection booking"
    assert reply.extra_headers["In-Reply-To"] == f"<{second['messageId']}@autolabsolutions.com>"
    refs = reply.extra_headers["References"].split()
    assert refs[-1] == f"<{second['messageId']}@autolabsolutions.com>"
    assert f"<{first['messageId']}@autolabsolutions.com>" in refs
    thread = support.api().get(f"/api/emails/{first['threadId']}").json()
    assert [email["messageId"] for email in thread["emails"]] == [
        first["messageId"],
        second["messageId"],
        third["messageId"],
    ]
    assert thread["total"] == 3
    assert thread["composeToEmail"] == "customer@example.com"
    assert thread["customerParticipants"] == ["customer@example.com"]
    assert thread["threadSubject"] == "Inspection booking"


def test_a_reply_to_an_unknown_email_is_a_404(support):
    response = _send(support.api(), in_reply_to_message_id="nope")
    assert response.status_code == 404
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"to": "not-an-address"}, "Invalid email address: not-an-address"),
        ({"cc": ["bad@"]}, "Invalid email address: bad@"),
        ({"text": "", "html": ""}, "text or html is required"),
        ({"to": []}, "to: to must be an email address or a list of them"),
        ({"subject": ""}, "subject: This field may not be blank."),
        ({"attachments": [{"filename": "a.txt", "content": "!!!"}]}, "Attachment 'a.txt' is not valid base64"),
    ],
)
def test_bad_input_is_a_400_and_sends_nothing(support, body, message):
    response = _send(support.api(), **body)
    assert response.status_code == 400
    assert response.json()["message"] == message
    assert mail.outbox == []


def test_sending_to_a_suppressed_address_is_refused(support):
    suppression.suppression_add(email="gone@example.com", actor=support.identity)
    response = _send(support.api(), to=["ok@example.com", "GONE@example.com"])
    assert response.status_code == 409
    assert "gone@example.com" in response.json()["message"]
    assert mail.outbox == []


def test_attachments_are_sent(support):
    content = b"hello attachment"
    response = _send(
        support.api(), attachments=[{"filename": "../../notes.txt", "content": base64.b64encode(content).decode()}]
    )
    assert response.status_code == 200
    [message] = mail.outbox
    assert message.attachments[0][0] == "0-notes.txt"
    assert message.attachments[0][1] in (content, content.decode())


@pytest.mark.parametrize(("roles", "status"), [(("MECHANIC",), 403), (("CLERK",), 403), (("ADMIN",), 200)])
def test_who_may_send(make_staff, roles, status):
    assert _send(make_staff(*roles).api()).status_code == status


def test_anonymous_callers_are_refused(anon):
    assert anon.get("/api/emails").status_code == 401
    assert _send(anon).status_code == 401
    assert anon.patch("/api/emails/x", {"isRead": True}, format="json").status_code == 401


def test_admin_without_support_can_read_the_mailbox(admin, mechanic):
    assert admin.api().get("/api/emails").status_code == 200  # fixed: the original refused ADMIN
    assert mechanic.api().get("/api/emails").status_code == 403


def test_list_filters_and_pages_with_a_cursor(support):
    for number in range(5):
        services.email_customer(
            email_type="order_created", to_email=f"c{number}@example.com", context=ORDER, dedupe_key=f"l{number}"
        )
    client = support.api()

    first = client.get("/api/emails", {"limit": 2}).json()
    second = client.get("/api/emails", {"limit": 2, "cursor": first["nextCursor"]}).json()
    third = client.get("/api/emails", {"limit": 2, "cursor": second["nextCursor"]}).json()

    seen = [e["toEmails"][0] for page in (first, second, third) for e in page["emails"]]
    assert seen == [f"c{n}@example.com" for n in (4, 3, 2, 1, 0)]
    assert third["nextCursor"] is None
    filtered = client.get("/api/emails", {"to_email": "C3@example.com"}).json()
    assert [e["toEmails"] for e in filtered["emails"]] == [["c3@example.com"]]
    assert filtered["emails"][0]["subject"] == "Your Service Order Has Been Created"
    assert filtered["emails"][0]["status"] == "sent"
    assert client.get("/api/emails", {"cursor": "forged"}).status_code == 400
    assert client.get("/api/emails", {"start_date": "25/11/2026"}).status_code == 400


def test_threads_view_groups_messages(support):
    services.email_customer(email_type="order_created", to_email="solo@example.com", context=ORDER, dedupe_key="solo")
    first = _send(support.api(), to="pair@example.com", subject="Parts").json()
    _send(support.api(), to="pair@example.com", subject="Parts", in_reply_to_message_id=first["messageId"])

    body = support.api().get("/api/emails", {"view": "threads"}).json()

    assert [(t["primaryCustomerEmail"], t["messageCount"]) for t in body["threads"]] == [
        ("pair@example.com", 2),
        ("solo@example.com", 1),
    ]
    assert body["threads"][0]["originalSubject"] == "Parts"
    only = support.api().get("/api/emails", {"view": "threads", "customer_email": "solo@example.com"}).json()
    assert [t["primaryCustomerEmail"] for t in only["threads"]] == ["solo@example.com"]
    paged = support.api().get("/api/emails", {"view": "threads", "limit": 1}).json()
    rest = support.api().get("/api/emails", {"view": "threads", "limit": 1, "cursor": paged["nextCursor"]}).json()
    assert [t["threadId"] for t in paged["threads"] + rest["threads"]] == [t["threadId"] for t in body["threads"]]


def test_patch_flags_and_tags(support):
    message_id = services.email_customer(
        email_type="order_created", to_email="a@example.com", context=ORDER, dedupe_key="p"
    )
    client = support.api()

    response = client.patch(
        f"/api/emails/{message_id}", {"isImportant": True, "isRead": False, "tags": ["vip", "order"]}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["updatedFields"] == {"isImportant": True, "isRead": False, "tags": ["order", "vip"]}
    email = client.get("/api/emails", {"limit": 1}).json()["emails"][0]
    assert (email["isImportant"], email["isRead"], email["tags"]) == (True, False, ["order", "vip"])
    assert client.patch(f"/api/emails/{message_id}", {"tags": []}, format="json").status_code == 200
    assert client.get(f"/api/emails/{message_id}").json()["email"]["tags"] == []


def test_opening_an_email_marks_it_read(support):
    message_id = services.email_customer(
        email_type="order_created", to_email="a@example.com", context=ORDER, dedupe_key="r"
    )
    client = support.api()
    client.patch(f"/api/emails/{message_id}", {"isRead": False}, format="json")

    client.get(f"/api/emails/{message_id}")

    assert client.get("/api/emails").json()["emails"][0]["isRead"] is True


@pytest.mark.parametrize(
    "body", [{}, {"tags": [""]}, {"tags": ["x" * 51]}, {"tags": [str(n) for n in range(21)]}, {"isRead": "maybe"}]
)
def test_bad_patches_are_400(support, body):
    message_id = services.email_customer(
        email_type="order_created", to_email="a@example.com", context=ORDER, dedupe_key="bp"
    )
    assert support.api().patch(f"/api/emails/{message_id}", body, format="json").status_code == 400


def test_unknown_email_is_404(support):
    assert support.api().patch("/api/emails/unknown", {"isRead": True}, format="json").status_code == 404
    assert support.api().get("/api/emails/unknown").status_code == 404


def test_thread_pages_list_every_thread_once_in_activity_order(support):
    client = support.api()
    firsts = [_send(client, to=f"t{n}@example.com", subject=f"Thread {n}").json() for n in range(5)]
    for n in (1, 3):  # threads 1 and 3 get newer activity
        _send(client, to=f"t{n}@example.com", subject=f"Thread {n}", in_reply_to_message_id=firsts[n]["messageId"])

    listed, cursor = [], None
    for _ in range(5):
        page = client.get(
            "/api/emails", {"view": "threads", "limit": 2, **({"cursor": cursor} if cursor else {})}
        ).json()
        listed += [t["primaryCustomerEmail"] for t in page["threads"]]
        cursor = page["nextCursor"]
        if not cursor:
            break

    assert listed == ["t3@example.com", "t1@example.com", "t4@example.com", "t2@example.com", "t0@example.com"]
