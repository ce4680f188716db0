"""Staff Web Push (#16.5): a member subscribes a device on the portal's Notifications page; the five
event kinds reach it through a LOCAL push endpoint (a tiny HTTP server here), encrypted as RFC 8291
says and decrypted back with http_ece and the subscription's private key; each event is pushed once
to a device (published twice, retried after a 500, or raced from two threads); a 410 removes the
subscription; each member's choices and roles decide what they get."""

from __future__ import annotations

import base64
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from autolab import events
from billing.services.manual_payments import manual_payment_confirm
from chat import messaging
from staffapp import push
from staffapp.models import PushDelivery, PushSubscription
from staffapp.tasks import push_notify_task
from tests.bookings.conftest import future_day
from tests.bookings.test_job_page import upload
from tests.bookings.test_reports import pdf_bytes
from tests.local_servers import serve_in_background
from tests.staffapp.push_fixtures import *  # noqa: F403 (book, capacity, catalogue, customer_id)

pytestmark = pytest.mark.django_db


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Device:
    """A browser's push subscription: its endpoint on the local server and its own keys."""

    path: str
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm")
        return json.loads(plain)


class PushService:
    """A push service on 127.0.0.1: records each POST and answers the queued statuses (else 201)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.answers: dict[str, list[int]] = {}
        self.lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with service.lock:
                    service.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    queued = service.answers.get(self.path) or []
                    status = queued.pop(0) if queued else 201
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        serve_in_background(self.server)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def to(self, device: Device) -> list[tuple[dict[str, str], bytes]]:
        with self.lock:
            return [(headers, body) for path, headers, body in self.received if path == device.path]

    def payloads(self, device: Device) -> list[dict[str, Any]]:
        return [device.decrypt(body) for _, body in self.to(device)]


@pytest.fixture
def service(settings):
    settings.PUSH_ENABLED = True
    running = PushService()
    yield running
    running.server.shutdown()
    running.server.server_close()


def subscribe(persona, service: PushService, name: str) -> Device:
    device = Device(path=f"/push/{name}")
    response = persona.portal().post(
        "/admin/notifications/",
        {
            "action": "subscribe",
            "endpoint": service.url(device.path),
            "p256dh": device.p256dh,
            "auth": b64url(device.auth),
        },
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"message": "This device will get your notifications."}
    return device


def test_a_new_booking_reaches_the_subscribed_device_encrypted_and_signed(service, support, book):
    device = subscribe(support, service, "support")
    appointment_id = book()
    (headers, body), *more = service.to(device)
    assert more == []
    assert headers["content-encoding"] == "aes128gcm"
    assert int(headers["ttl"]) == 4 * 3600
    scheme, _, rest = headers["authorization"].partition(" ")
    assert scheme == "vapid"
    assert f"k={push.vapid_public_key()}" in rest
    payload = device.decrypt(body)
    assert payload["title"] == "New appointment booked"
    assert payload["body"] == "Cara Buyer: open it to schedule"
    assert payload["url"] == f"/admin/bookings/appointments/{appointment_id}/"
    assert payload["kind"] == "new_booking"
    # The page lists the device.
    page = support.portal().get("/admin/notifications/").content.decode()
    assert "Remove" in page
    assert "No device gets your notifications yet." not in page


def test_an_event_is_pushed_once_when_published_again_retried_or_raced(service, support, book):
    device = subscribe(support, service, "support")
    service.answers[device.path] = [500]  # the push service fails once
    appointment_id = book()
    assert len(service.to(device)) == 1
    subscription = next(iter(PushSubscription.query(support.identity.user_id)))
    key = push.delivery_id(f"appointment.created:{appointment_id}", subscription)
    assert (PushDelivery.get(key).status, PushDelivery.get(key).attempts) == ("retry", 1)
    # What the worker runs when the task's retry comes due (eager tasks cannot wait for it).
    payload = {"appointmentId": appointment_id, "status": "PENDING", "customerName": "Cara Buyer"}
    notice = asdict(push.classify(events.STAFF_GROUP, "appointment.created", payload))
    assert push_notify_task.apply(args=[notice]).get() == {"sent": 1}
    assert [p["title"] for p in service.payloads(device)] == ["New appointment booked"] * 2
    record = PushDelivery.get(key)
    assert (record.status, record.attempts, record.status_code) == ("sent", 2, 201)
    # The task again, the same event published again, and four racing publishers: no more pushes.
    assert push_notify_task.apply(args=[notice]).get() == {"duplicate": 1}
    events.publish_to_staff("appointment.created", payload)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: events.publish_to_staff("appointment.created", payload), range(4)))
    assert len(service.to(device)) == 2


def test_racing_first_attempts_push_once(service, support):
    """Six workers pushing the same notice to one device at once: the conditional put lets one send."""
    device = subscribe(support, service, "support")
    subscription = next(iter(PushSubscription.query(support.identity.user_id)))
    payload = {"appointmentId": "race-1", "status": "PENDING", "customerName": "Cara Buyer"}
    notice = push.classify(events.STAFF_GROUP, "appointment.created", payload)
    barrier = threading.Barrier(6)

    def run(_: int) -> str | None:
        barrier.wait()
        return push.push_to(subscription, notice)

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(run, range(6)))
    assert sorted(outcomes, key=str) == [None] * 5 + ["sent"]
    assert len(service.to(device)) == 1


def test_a_gone_subscription_is_removed(service, support, book):
    device = subscribe(support, service, "support")
    service.answers[device.path] = [410]
    book()
    assert len(service.to(device)) == 1
    assert list(PushSubscription.query(support.identity.user_id)) == []
    page = support.portal().get("/admin/notifications/").content.decode()
    assert "No device gets your notifications yet." in page
    book()  # nothing left to push to
    assert len(service.to(device)) == 1


def test_each_member_gets_the_kinds_they_chose_and_their_roles_allow(service, support, admin, mechanic, book):
    theirs, mine, workers = (
        subscribe(support, service, "support"),
        subscribe(admin, service, "admin"),
        subscribe(mechanic, service, "mechanic"),
    )
    kinds = admin.portal().post("/admin/notifications/", {"action": "kinds", "kinds": ["payment", "chat"]})
    assert kinds.status_code == 302
    page = admin.portal().get("/admin/notifications/").content.decode()
    assert 'value="new_booking">' in page  # offered, no longer ticked
    assert 'value="payment" checked>' in page
    refused = mechanic.portal().post(
        "/admin/notifications/", {"action": "kinds", "kinds": ["payment"]}, HTTP_ACCEPT="application/json"
    )
    assert refused.status_code == 400
    assert refused.json() == {"message": "Not a notification you can get: payment"}
    book()
    assert [p["kind"] for p in service.payloads(theirs)] == ["new_booking"]
    assert service.to(mine) == []  # admin unticked new bookings
    assert service.to(workers) == []  # a mechanic sees no unassigned bookings


def test_the_other_four_kinds(service, support, admin, mechanic, book, capacity, customer_id):
    capacity(2)
    helpdesk, reviewer, worker = (
        subscribe(support, service, "support"),
        subscribe(admin, service, "admin"),
        subscribe(mechanic, service, "mechanic"),
    )
    appointment_id = book()
    body = {"date": future_day(), "start": "09:00", "end": "11:00", "mechanic": mechanic.user_id, "version": 1}
    assert support.portal().post(f"/admin/bookings/appointments/{appointment_id}/schedule/", body).status_code == 302
    assigned = [p for p in service.payloads(worker) if p["kind"] == "job_assigned"]
    assert [p["title"] for p in assigned] == ["Job assigned to you"]
    assert assigned[0]["body"].startswith(f"{future_day()} 09:00\u201311:00")
    assert assigned[0]["url"] == f"/admin/bookings/appointments/{appointment_id}/"
    # A chat from an unassigned customer: the inbox staff, not the mechanic.
    messaging.message_send(client_id=customer_id, text="Is 9 ok for the seller?", staff=None)
    chats = [p for p in service.payloads(helpdesk) if p["kind"] == "chat"]
    assert [(p["title"], p["body"], p["url"]) for p in chats] == [
        ("New message from Cara", "Is 9 ok for the seller?", f"/admin/chat/inbox/{customer_id}/")
    ]
    assert [p["kind"] for p in service.payloads(worker)] == ["job_assigned"]
    # The mechanic's report upload: the admin reviews reports.
    assert "uploaded" in upload(mechanic.portal(), appointment_id, "Inspection.pdf", pdf_bytes()).content.decode()
    reports = [p for p in service.payloads(reviewer) if p["kind"] == "report_review"]
    assert [p["title"] for p in reports] == ["Report to review"]
    assert reports[0]["body"].startswith("Inspection.pdf")
    # A payment, confirmed by the admin: support hears of it.
    manual_payment_confirm(
        actor=admin.identity, record_type="appointment", reference_number=appointment_id, payment_method="cash"
    )
    paid = [p for p in service.payloads(helpdesk) if p["kind"] == "payment"]
    assert [(p["title"], p["url"]) for p in paid] == [
        ("Payment received", f"/admin/billing/payments/appointment/{appointment_id}/")
    ]


def test_refused_subscriptions_answer_400_and_devices_are_removed_by_their_owner(service, support, mechanic):
    client = support.portal()
    bad = {"action": "subscribe", "endpoint": "ftp://push.example/x", "p256dh": "x", "auth": "y"}
    response = client.post("/admin/notifications/", bad, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json() == {"message": "The push endpoint must be an https URL"}
    short = {**bad, "endpoint": service.url("/push/x"), "p256dh": b64url(b"\x04" * 10)}
    response = client.post("/admin/notifications/", short, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json() == {"message": "p256dh must be 65 bytes"}
    subscribe(support, service, "support")
    sid = next(iter(PushSubscription.query(support.identity.user_id))).subscription_id
    stranger = mechanic.portal().post(
        "/admin/notifications/", {"action": "unsubscribe", "subscription": sid}, HTTP_ACCEPT="application/json"
    )
    assert stranger.status_code == 404  # only one's own devices
    assert client.post("/admin/notifications/", {"action": "unsubscribe", "subscription": sid}).status_code == 302
    assert list(PushSubscription.query(support.identity.user_id)) == []
    assert client.post("/admin/notifications/", {"action": "nonsense"}).status_code == 302
