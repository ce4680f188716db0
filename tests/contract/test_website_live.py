"""The website's contract, part two: chat signals, every push it handles, and links it can open.

What the website reads (original-frontends.md §2, original-backend-behaviour.md §1 and §4) is
pinned here by value: success statuses are the original's, fields have the original's types, and
pushes keep the original's ``type``/``subtype``. Links are opened the way a browser tab opens them:
a plain HTTP client against a real server, without cookies, tokens or extra parameters.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from asgiref.sync import sync_to_async
from django.core import mail
from pypdf import PdfReader
from rest_framework.test import APIClient

from tests.contract.test_website import _book, _customer, _future_day, _ok

pytestmark = pytest.mark.django_db(transaction=True)

ORDER = {
    "items": [{"categoryId": 1, "itemId": 1, "quantity": 2}],
    "customerData": {"name": "Jane", "email": "jane@example.com", "phoneNumber": "0412345678"},
    "carData": {"make": "Honda", "model": "Civic", "year": 2019},
}


@pytest.fixture
def website(db: None) -> APIClient:
    from django.core.management import call_command

    call_command("seed", stdout=io.StringIO())
    return APIClient()


def _types(record: dict[str, Any], expected: dict[str, type | tuple[type, ...]]) -> dict[str, str]:
    """Fields whose type differs from what the website's code expects (empty when all match)."""
    return {
        name: type(record.get(name)).__name__
        for name, kind in expected.items()
        if not isinstance(record.get(name), kind)
    }


NUMBER = (int, float)
# The detail page's fields (original-frontends.md §2.2) with the original's JSON types.
APPOINTMENT_TYPES = {
    "appointmentId": str,
    "serviceId": int,
    "planId": int,
    "status": str,
    "paymentStatus": str,
    "price": NUMBER,
    "carMake": str,
    "carModel": str,
    "carYear": str,
    "carLocation": str,
    "isBuyer": bool,
    "buyerName": str,
    "buyerEmail": str,
    "buyerPhone": str,
    "sellerName": str,
    "sellerEmail": str,
    "sellerPhone": str,
    "selectedSlots": list,
    "notes": str,
    "postNotes": str,
    "reports": list,
    "createdAt": int,
    "createdDate": str,
    "updatedAt": int,
}
ORDER_TYPES = {
    "orderId": str,
    "items": list,
    "customerName": str,
    "customerEmail": str,
    "customerPhone": str,
    "carMake": str,
    "carModel": str,
    "carYear": str,
    "status": str,
    "paymentStatus": str,
    "totalPrice": NUMBER,
    "createdAt": int,
    "createdDate": str,
    "updatedAt": int,
}
PAID_TYPES = {
    "paidAt": int,
    "paymentAmount": NUMBER,
    "paymentIntentId": str,
    "paymentMethod": str,
    "invoiceId": str,
    "invoiceUrl": str,
}


def test_fields_the_status_pages_read_have_the_originals_types(website: APIClient) -> None:
    user_id = _customer(website)
    appointment_id = _book(website, user_id)
    appointment = _ok(website.get(f"/api/appointments/{appointment_id}", {"userId": user_id}))["appointment"]
    assert _types(appointment, APPOINTMENT_TYPES) == {}
    slot = appointment["selectedSlots"][0]
    assert _types(slot, {"date": str, "start": str, "end": str, "priority": int}) == {}
    listing = _ok(website.get("/api/appointments", {"userId": user_id}))
    assert _types(listing, {"appointments": list, "count": int}) == {}

    order_id = _ok(website.post("/api/orders", {"userId": user_id, "orderData": ORDER}, format="json"))["orderId"]
    order = _ok(website.get(f"/api/orders/{order_id}", {"userId": user_id}))["order"]
    assert _types(order, ORDER_TYPES) == {}
    line = order["items"][0]
    assert (
        _types(line, {"categoryId": int, "itemId": int, "quantity": int, "unitPrice": NUMBER, "totalPrice": NUMBER})
        == {}
    )
    assert _types(_ok(website.get("/api/orders", {"userId": user_id})), {"orders": list, "count": int}) == {}

    day = _future_day()
    slots = _ok(website.get("/api/unavailable-slots", {"date": day}))
    assert (
        _types(slots, {"date": str, "unavailableSlots": list, "manuallyUnavailableSlots": list, "scheduledSlots": list})
        == {}
    )
    check = _ok(website.get("/api/unavailable-slots", {"date": day, "checkSlot": "09:01-11:59"}))["availabilityCheck"]
    assert _types(check, {"date": str, "requestedSlot": str, "appointmentsCount": int, "blocked": bool}) == {}


def test_sending_a_chat_message_answers_200_with_what_the_widget_reads(website: APIClient) -> None:
    user_id = _customer(website)
    response = website.post(
        "/api/messages", {"clientId": user_id, "messageId": "msg_1700000000000_ab", "message": "Hi"}, format="json"
    )
    assert response.status_code == 200  # the website shows "Failed to send message" for anything else
    body = response.json()
    assert body["success"] is True
    assert (
        _types(
            body, {"messageId": str, "senderId": str, "receiverId": str, "message": str, "sent": bool, "timestamp": int}
        )
        == {}
    )
    assert (body["senderId"], body["receiverId"], body["sent"]) == (user_id, "ALL", True)
    history = _ok(website.get("/api/messages", {"clientId": user_id}))["messages"]
    expected = {"messageId": str, "senderId": str, "receiverId": str, "message": str, "createdAt": int}
    assert _types(history[0], {**expected, "received": bool, "viewed": bool}) == {}


async def test_chat_signals_answer_200_and_reach_the_customer_as_the_original_pushed_them(
    website: APIClient, open_socket: Any, make_staff: Any
) -> None:
    socket = await open_socket()
    user_id = (await socket.init(userId=None))["userId"]
    support = await sync_to_async(make_staff)("CUSTOMER_SUPPORT")
    staff_api = support.api()
    post = sync_to_async(lambda client, path, body: client.post(path, body, format="json"), thread_sensitive=False)

    typing = await post(staff_api, "/api/messages/notify", {"status": "TYPING", "clientId": user_id})
    assert typing.status_code == 200
    assert typing.json() == {"success": True, "message": "Notification queued successfully for TYPING."}
    pushed = await socket.receive_until(lambda e: e.get("type") == "notification")
    assert (pushed["subtype"], pushed["status"], pushed["success"]) == ("status", "TYPING", True)

    reply = await post(staff_api, "/api/messages", {"clientId": user_id, "message": "On our way"})
    assert reply.status_code == 200
    message_id = reply.json()["messageId"]
    new = await socket.receive_until(lambda e: e.get("type") == "message")
    assert (new["subtype"], new["messageId"], new["message"], new["senderId"]) == (
        "new",
        message_id,
        "On our way",
        reply.json()["senderId"],
    )
    assert isinstance(new["timestamp"], int)

    customer_api = APIClient()
    for status in ("MESSAGE_RECEIVED", "MESSAGE_VIEWED"):
        ack = await post(
            customer_api, "/api/messages/notify", {"userId": user_id, "status": status, "messageId": message_id}
        )
        assert ack.status_code == 200, ack.content
        assert ack.json()["message"] == f"Notification queued successfully for {status}."

    edited = await post(
        staff_api, "/api/messages/notify", {"status": "MESSAGE_EDITED", "messageId": message_id, "newMessage": "Soon"}
    )
    assert edited.status_code == 200, edited.content
    push = await socket.receive_until(lambda e: e.get("status") == "MESSAGE_EDITED")
    assert (push["type"], push["subtype"], push["messageId"], push["newMessage"]) == (
        "notification",
        "status",
        message_id,
        "Soon",
    )
    deleted = await post(staff_api, "/api/messages/notify", {"status": "MESSAGE_DELETED", "messageId": message_id})
    assert deleted.status_code == 200, deleted.content
    push = await socket.receive_until(lambda e: e.get("status") == "MESSAGE_DELETED")
    assert (push["type"], push["subtype"], push["messageId"]) == ("notification", "status", message_id)


def test_a_signal_without_a_socket_asks_the_website_to_reconnect(website: APIClient) -> None:
    user_id = _customer(website)
    response = website.post("/api/messages/notify", {"userId": user_id, "status": "TYPING"}, format="json")
    assert response.status_code == 400
    # RestClient.js reconnects the socket on a 400 whose message says this.
    assert "no connection found for userid" in response.json()["message"].lower()


def _pay(website: APIClient, fake_stripe: Any, user_id: str, kind: str, reference: str) -> dict[str, Any]:
    record = _ok(website.get(f"/api/{kind}s/{reference}", {"userId": user_id}))[kind]
    cents = round((record.get("price") or record.get("totalPrice")) * 100)
    body = {"userId": user_id, "referenceNumber": reference, "type": kind, "amount": cents, "currency": "aud"}
    intent = _ok(website.post("/api/payments/stripe/intent", body, format="json"))
    fake_stripe.succeed(intent["paymentIntentId"])
    return _ok(
        website.post(
            "/api/payments/stripe/confirm",
            {
                "paymentIntentId": intent["paymentIntentId"],
                "referenceNumber": reference,
                "type": kind,
                "userId": user_id,
            },
            format="json",
        )
    )


@pytest.mark.parametrize("kind", ["appointment", "order"])
async def test_the_payment_push_keeps_the_originals_type_and_subtype(
    website: APIClient, fake_stripe: Any, open_socket: Any, kind: str
) -> None:
    socket = await open_socket()
    user_id = (await socket.init(userId=None))["userId"]
    if kind == "appointment":
        reference = await sync_to_async(_book, thread_sensitive=False)(website, user_id)
    else:
        created = await sync_to_async(website.post, thread_sensitive=False)(
            "/api/orders", {"userId": user_id, "orderData": ORDER}, format="json"
        )
        reference = _ok(created)["orderId"]
    confirmed = await sync_to_async(_pay, thread_sensitive=False)(website, fake_stripe, user_id, kind, reference)
    assert (confirmed["type"], confirmed["paymentStatus"]) == (kind, "paid")
    push = await socket.receive_until(lambda e: e.get("subtype") == "payment-status")
    assert push == {
        "type": kind,
        "subtype": "payment-status",
        "success": True,
        "referenceNumber": reference,
        "paymentStatus": "paid",
    }


# --- Links -------------------------------------------------------------------------------------


@pytest.fixture
def public_server(live_server: Any, settings: Any) -> str:
    """autolab answering on a real port, and PUBLIC_BASE_URL pointing at it."""
    settings.PUBLIC_BASE_URL = live_server.url
    return live_server.url


def _open(url: str) -> requests.Response:
    """Open a link as a fresh browser tab would: no cookies, no token, nothing added."""
    return requests.get(url, timeout=20)


def _pdf_text(response: requests.Response) -> str:
    assert response.status_code == 200, response.text[:300]
    assert response.content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_a_customers_invoice_link_opens_the_pdf_without_anything_else(
    website: APIClient, fake_stripe: Any, public_server: str
) -> None:
    user_id = _customer(website)
    appointment_id = _book(website, user_id)
    _pay(website, fake_stripe, user_id, "appointment", appointment_id)
    appointment = _ok(website.get(f"/api/appointments/{appointment_id}", {"userId": user_id}))["appointment"]
    assert _types(appointment, PAID_TYPES) == {}
    url = appointment["invoiceUrl"]
    assert url.startswith(public_server + "/")
    assert "tax invoice" in _pdf_text(_open(url)).lower()

    parts = urlsplit(url)
    signature = parse_qs(parts.query)["signature"][0]
    tampered = f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode({'signature': signature[:-2] + 'xx'})}"
    assert _open(tampered).status_code == 404
    other_invoice = url.replace(appointment["invoiceId"], "INV-0000000000")
    assert _open(other_invoice).status_code == 404
    assert _open(f"{parts.scheme}://{parts.netloc}{parts.path}").status_code == 404  # the bare route needs a login


def _email_links(to: str) -> list[str]:
    bodies = [
        str(m.body) + "".join(str(c) for c, _ in getattr(m, "alternatives", []))
        for m in mail.outbox
        if to in " ".join(m.to)
    ]
    return [html.unescape(link) for body in bodies for link in re.findall(r'href="([^"]+)"', body)]


def test_email_buttons_are_absolute_and_open_without_a_login(
    website: APIClient, fake_stripe: Any, public_server: str
) -> None:
    user_id = _customer(website)
    appointment_id = _book(website, user_id)
    _pay(website, fake_stripe, user_id, "appointment", appointment_id)
    links = _email_links("jane@example.com")
    ours = [link for link in links if "/api/" in link]
    assert ours, [(m.to, m.subject) for m in mail.outbox]
    assert all(link.startswith(public_server + "/") for link in ours), ours
    invoice_links = [link for link in ours if "/pdf?signature=" in link]
    assert len(invoice_links) == 1, ours
    assert "tax invoice" in _pdf_text(_open(invoice_links[0])).lower()


def test_an_expired_invoice_link_answers_403(
    website: APIClient, fake_stripe: Any, public_server: str, settings: Any
) -> None:
    user_id = _customer(website)
    appointment_id = _book(website, user_id)
    _pay(website, fake_stripe, user_id, "appointment", appointment_id)
    settings.CUSTOMER_LINK_MAX_AGE_SECONDS = -1  # links handed out from now on are already past their expiry
    url = _ok(website.get(f"/api/appointments/{appointment_id}", {"userId": user_id}))["appointment"]["invoiceUrl"]
    expired = _open(url)
    assert expired.status_code == 403
    assert expired.json() == {"success": False, "message": "This link has expired; reload the page for a new one"}


def test_orders_expose_the_invoice_and_a_revert_like_appointments(
    website: APIClient, fake_stripe: Any, public_server: str, make_staff: Any
) -> None:
    user_id = _customer(website)
    order_id = _ok(website.post("/api/orders", {"userId": user_id, "orderData": ORDER}, format="json"))["orderId"]
    _pay(website, fake_stripe, user_id, "order", order_id)
    order = _ok(website.get(f"/api/orders/{order_id}", {"userId": user_id}))["order"]
    assert _types(order, PAID_TYPES) == {}
    assert order["invoiceUrl"].startswith(public_server + "/")
    assert "tax invoice" in _pdf_text(_open(order["invoiceUrl"])).lower()

    admin = make_staff("ADMIN")
    revert = admin.api().post(
        "/api/payments/confirm", {"referenceNumber": order_id, "type": "order", "revert": True}, format="json"
    )
    assert _ok(revert)["paymentStatus"] == "pending"
    reverted = _ok(website.get(f"/api/orders/{order_id}", {"userId": user_id}))["order"]
    assert _types(reverted, {"paymentRevertedBy": str, "paymentRevertedAt": int}) == {}
    assert "invoiceUrl" not in reverted  # its invoice is cancelled with the payment
    assert reverted["paymentRevertedBy"] == admin.user_id
    assert abs(reverted["paymentRevertedAt"] - dt.datetime.now(dt.UTC).timestamp()) < 120


def test_report_links_are_absolute_and_open_without_a_login(
    website: APIClient, public_server: str, make_staff: Any
) -> None:
    user_id = _customer(website)
    appointment_id = _book(website, user_id)
    support, mechanic, admin = make_staff("CUSTOMER_SUPPORT"), make_staff("MECHANIC"), make_staff("ADMIN")
    day = _future_day()
    support.api().patch(
        f"/api/appointments/{appointment_id}",
        {"scheduledTimeSlot": {"date": day, "start": "09:00", "end": "12:00"}, "assignedMechanicId": mechanic.user_id},
        format="json",
    )
    for status in ("ONGOING", "COMPLETED"):
        _ok(mechanic.api().patch(f"/api/appointments/{appointment_id}", {"status": status}, format="json"))
    upload = _ok(
        mechanic.api().post(
            "/api/upload-urls",
            {
                "uploadType": "report",
                "referenceId": appointment_id,
                "fileName": "report.pdf",
                "fileType": "application/pdf",
            },
            format="json",
        )
    )
    assert upload["uploadUrl"].startswith(public_server + "/")
    document = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    put = requests.put(upload["uploadUrl"], data=document, headers={"Content-Type": "application/pdf"}, timeout=20)
    assert put.status_code == 201, put.text
    approval = {"reportApproval": {"reportS3Key": upload["s3Key"], "action": "approve"}}
    _ok(admin.api().patch(f"/api/appointments/{appointment_id}", approval, format="json"))
    report = _ok(website.get(f"/api/appointments/{appointment_id}", {"userId": user_id}))["appointment"]["reports"][0]
    assert report["fileUrl"].startswith(public_server + "/")
    opened = _open(report["fileUrl"])
    assert (opened.status_code, opened.content) == (200, document)
