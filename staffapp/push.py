"""Web Push to staff (#16.5, ARCHITECTURE §8): the portal's notifications reach a member whose portal
is closed, on the devices they subscribed from the "Notifications" page.

- **Kinds.** ``Kind``: a new booking, a job assigned to me, a chat from a customer assigned to me or
  unassigned, a payment, a report to review. Each needs a permission (a mechanic gets no payment
  pushes); each member chooses among the kinds their roles allow (``Staff.pushKinds``; absent = all).
- **One place.** ``on_live_event`` observes every live staff event (``autolab.events.observe``) and
  ``classify`` turns the five kinds into a ``Notice``; no publisher calls push itself. The notice
  goes to the worker (``staffapp.tasks.push_notify_task``), so a request never waits for a push
  service.
- **Once.** Every push of an event to a subscription is a PushDelivery item keyed by the event's key
  and the subscription, written with a condition before the send: the same event published twice,
  or its task retried, pushes once. A transient failure (5xx, 429, network) marks it ``retry`` and
  the task retries with backoff; only those deliveries are tried again.
- **Gone.** A 404 or 410 from the push service means the browser dropped the subscription: it is
  deleted.
- **Backends**, chosen in settings like the SMS backends (``PUSH_BACKEND``): ``WebPushBackend``
  (pywebpush, VAPID keys from settings), ``FileBackend`` (dev: one JSON file per push) and
  ``LocmemBackend`` (a list in memory).

Reads: a member's devices are one Query (hash key = staff userId); who wants a kind is the active
staff list (auth users, then one BatchGet of Staff), which is small. No Scan.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import uuid
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Protocol
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.module_loading import import_string
from pynamodb.exceptions import DeleteError, PutError, UpdateError

from autolab import clock, dynamodb, events
from autolab.exceptions import ValidationError
from autolab.permissions import Permission, StaffIdentity
from staffapp.models import PushDelivery, PushSubscription, Staff
from staffapp.selectors import staff_get, staff_get_by_user_id, staff_get_many, staff_identity

logger = logging.getLogger(__name__)

SENDING, SENT, RETRY, FAILED, GONE = "sending", "sent", "retry", "failed", "gone"
INBOX_GROUP = "staffinbox"  # chat.live.INBOX_GROUP: staff who may chat
STAFF_MEMBER_PREFIX = "staff."
MAX_DEVICES = 10  # per member
MAX_FIELD = 2048


class Kind(StrEnum):
    NEW_BOOKING = "new_booking"
    JOB_ASSIGNED = "job_assigned"
    CHAT = "chat"
    PAYMENT = "payment"
    REPORT_REVIEW = "report_review"


@dataclass(frozen=True)
class KindInfo:
    label: str
    permission: Permission


KINDS: dict[Kind, KindInfo] = {
    Kind.NEW_BOOKING: KindInfo("A new booking", Permission.APPOINTMENT_VIEW_ALL),
    Kind.JOB_ASSIGNED: KindInfo("A job assigned to me", Permission.APPOINTMENT_VIEW_ASSIGNED),
    Kind.CHAT: KindInfo("A chat from a customer assigned to me or unassigned", Permission.CHAT_INBOX),
    Kind.PAYMENT: KindInfo("A payment", Permission.INVOICE_VIEW),
    Kind.REPORT_REVIEW: KindInfo("A report to review", Permission.APPOINTMENT_REPORT_APPROVE),
}


def allowed_kinds(identity: StaffIdentity) -> list[Kind]:
    return [kind for kind, info in KINDS.items() if identity.has(info.permission)]


def chosen_kinds(staff: Staff) -> list[Kind]:
    """The kinds ``staff`` gets: their choice among those their roles allow (all when never chosen)."""
    allowed = allowed_kinds(staff_identity(staff))
    if staff.push_kinds is None:
        return allowed
    return [kind for kind in allowed if kind in staff.push_kinds]


# --- VAPID --------------------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _private_key() -> ec.EllipticCurvePrivateKey | None:
    """The VAPID key: ``VAPID_PRIVATE_KEY`` (PEM, or the raw 32-byte key base64url), else in dev a
    key generated once into ``VAPID_KEY_FILE``; None when push is not configured."""
    configured = (settings.VAPID_PRIVATE_KEY or "").strip()
    if configured:
        if configured.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(configured.encode(), password=None)
            if not isinstance(key, ec.EllipticCurvePrivateKey):
                raise ValueError("VAPID_PRIVATE_KEY is not an EC key")
            return key
        raw = base64.urlsafe_b64decode(configured + "=" * (-len(configured) % 4))
        return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    if not settings.VAPID_KEY_FILE:
        return None
    path = Path(settings.VAPID_KEY_FILE)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.write_bytes(pem)
        logger.info("Generated a development VAPID key in %s", path)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    return loaded if isinstance(loaded, ec.EllipticCurvePrivateKey) else None


def vapid_private_raw() -> str | None:
    key = _private_key()
    return _b64url(key.private_numbers().private_value.to_bytes(32, "big")) if key else None


def vapid_public_key() -> str | None:
    """The ``applicationServerKey`` a browser subscribes with (uncompressed P-256 point, base64url)."""
    key = _private_key()
    if key is None:
        return None
    point = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _b64url(point)


def push_configured() -> bool:
    return bool(settings.PUSH_ENABLED) and vapid_public_key() is not None


# --- Backends -----------------------------------------------------------------------------------


class PushGone(Exception):
    """The push service no longer knows the subscription (404 or 410)."""


class PushRetry(Exception):
    """A transient failure: try again later."""


class PushRefused(Exception):
    """The push service refused the message for good (another 4xx)."""


class PushBackend(Protocol):
    def send(self, subscription: PushSubscription, data: bytes, *, ttl: int) -> int:
        """Push ``data`` to the subscription; returns the push service's status code."""


def _status_error(status: int, text: str) -> Exception:
    if status in (404, 410):
        return PushGone(f"{status} {text}"[:500])
    if status == 429 or status >= 500:
        return PushRetry(f"{status} {text}"[:500])
    return PushRefused(f"{status} {text}"[:500])


class WebPushBackend:
    """RFC 8030 Web Push with RFC 8291 (aes128gcm) encryption and RFC 8292 VAPID, via pywebpush."""

    def send(self, subscription: PushSubscription, data: bytes, *, ttl: int) -> int:
        import requests
        from pywebpush import WebPushException, webpush

        private = vapid_private_raw()
        if private is None:
            raise PushRefused("VAPID keys are not configured")
        info = {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
        try:
            response = webpush(
                info,
                data=data,
                vapid_private_key=private,
                vapid_claims={"sub": settings.VAPID_SUBJECT},  # a new dict each time: webpush fills in aud, exp
                ttl=ttl,
                timeout=settings.PUSH_TIMEOUT_SECONDS,
                content_encoding="aes128gcm",
            )
        except WebPushException as error:
            if error.response is None:
                raise PushRetry(str(error)[:500]) from error
            raise _status_error(error.response.status_code, error.response.text or "") from error
        except requests.RequestException as error:
            raise PushRetry(f"{type(error).__name__}: {error}"[:500]) from error
        return int(getattr(response, "status_code", 201))


class FileBackend:
    """One JSON file per push in ``PUSH_FILE_PATH`` (dev): what would have been sent, to whom."""

    def send(self, subscription: PushSubscription, data: bytes, *, ttl: int) -> int:
        folder = Path(settings.PUSH_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        record = {"staffUserId": subscription.staff_user_id, "endpoint": subscription.endpoint, "ttl": ttl}
        record["payload"] = json.loads(data)
        (folder / f"{clock.epoch_now()}-{uuid.uuid4().hex}.json").write_text(json.dumps(record))
        return 201


class LocmemBackend:
    """Pushes kept in ``LocmemBackend.outbox`` (tests of code that only needs to see them)."""

    outbox: ClassVar[list[dict[str, Any]]] = []

    def send(self, subscription: PushSubscription, data: bytes, *, ttl: int) -> int:
        self.outbox.append({"staffUserId": subscription.staff_user_id, "payload": json.loads(data)})
        return 201


def backend() -> PushBackend:
    return import_string(settings.PUSH_BACKEND)()


# --- Subscriptions and choices ------------------------------------------------------------------


def subscription_id(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()[:32]


def _clean_key(value: str, name: str, length: int) -> str:
    value = (value or "").strip()
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError as error:
        raise ValidationError(f"{name} is not base64url") from error
    if len(raw) != length:
        raise ValidationError(f"{name} must be {length} bytes")
    return value.rstrip("=")


def _clean_endpoint(endpoint: str) -> str:
    endpoint = (endpoint or "").strip()
    parts = urlsplit(endpoint)
    local = settings.PUSH_ALLOW_HTTP_ENDPOINTS and parts.scheme == "http"
    if len(endpoint) > MAX_FIELD or not parts.netloc or not (parts.scheme == "https" or local):
        raise ValidationError("The push endpoint must be an https URL")
    return endpoint


def subscribe(*, staff: StaffIdentity, endpoint: str, p256dh: str, auth: str, user_agent: str = "") -> PushSubscription:
    """Store this device's subscription (again: its keys are replaced)."""
    clean = _clean_endpoint(endpoint)
    sid = subscription_id(clean)
    devices = devices_of(staff.user_id)
    if len(devices) >= MAX_DEVICES and all(device.subscription_id != sid for device in devices):
        raise ValidationError(f"At most {MAX_DEVICES} devices; remove one first")
    item = PushSubscription(
        staff_user_id=staff.user_id,
        subscription_id=sid,
        endpoint=clean,
        p256dh=_clean_key(p256dh, "p256dh", 65),
        auth=_clean_key(auth, "auth", 16),
        user_agent=(user_agent or "")[:300],
        created_at=clock.epoch_now(),
    )
    item.save()
    return item


def unsubscribe(*, staff: StaffIdentity, subscription: str) -> bool:
    """Remove one of the member's own devices; False when it was not theirs or is gone already."""
    try:
        PushSubscription(staff_user_id=staff.user_id, subscription_id=subscription[:64]).delete(
            condition=PushSubscription.subscription_id.exists()
        )
    except DeleteError as error:
        if dynamodb.condition_failed(error):
            return False
        raise
    return True


def devices_of(staff_user_id: str) -> list[PushSubscription]:
    return list(PushSubscription.query(staff_user_id, limit=MAX_DEVICES * 2))


def set_kinds(*, staff: StaffIdentity, kinds: list[str]) -> list[Kind]:
    """Save the member's choice (kinds their roles do not allow are refused)."""
    allowed = allowed_kinds(staff)
    unknown = [kind for kind in kinds if kind not in {k.value for k in allowed}]
    if unknown:
        raise ValidationError(f"Not a notification you can get: {', '.join(sorted(unknown))}")
    member = staff_get(staff.email)
    if member is None:
        raise ValidationError("Staff member not found")
    chosen = [kind for kind in allowed if kind in kinds]
    member.update(actions=[Staff.push_kinds.set([str(kind) for kind in chosen])])
    return chosen


# --- What is pushed -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """One event worth a push: who gets it (``staff_user_id``, or everyone who chose ``kind``)."""

    kind: str
    event_key: str
    title: str
    body: str
    url: str
    tag: str = ""
    staff_user_id: str = ""
    actor_id: str = ""

    def payload(self) -> bytes:
        data = {"title": self.title, "body": self.body, "url": self.url, "tag": self.tag, "kind": self.kind}
        return json.dumps({**data, "timestamp": clock.epoch_now()}).encode()


def _appointment_url(appointment_id: str) -> str:
    return reverse("admin:bookings-appointment", kwargs={"appointment_id": appointment_id})


def _short(value: Any) -> str:
    return str(value or "")[:8].upper()


def classify(group: str, event_type: str, payload: dict[str, Any]) -> Notice | None:
    """The push a live event makes, if any: the five kinds, read from the events' payloads."""
    appointment_id = str(payload.get("appointmentId") or "")
    if group == events.STAFF_GROUP and event_type == "appointment.created" and appointment_id:
        who = payload.get("customerName") or f"Appointment {_short(appointment_id)}"
        return Notice(
            Kind.NEW_BOOKING, f"appointment.created:{appointment_id}", "New appointment booked",
            f"{who}: open it to schedule", _appointment_url(appointment_id), tag=f"appointment-{appointment_id}",
        )  # fmt: skip
    if group.startswith(STAFF_MEMBER_PREFIX) and event_type == "appointment.assigned" and appointment_id:
        mechanic = group.removeprefix(STAFF_MEMBER_PREFIX)
        return Notice(
            Kind.JOB_ASSIGNED, f"appointment.assigned:{appointment_id}:{mechanic}:{payload.get('version', '')}",
            "Job assigned to you", str(payload.get("message") or f"Appointment {_short(appointment_id)}"),
            _appointment_url(appointment_id), tag=f"appointment-{appointment_id}", staff_user_id=mechanic,
            actor_id=str(payload.get("actorId") or ""),
        )  # fmt: skip
    if event_type == "message" and payload.get("subtype") == "new" and payload.get("messageId"):
        to_member = group.startswith(STAFF_MEMBER_PREFIX)
        if not to_member and group != INBOX_GROUP:
            return None
        client = str(payload.get("clientId") or payload.get("senderId") or "")
        if payload.get("senderId") != client:  # a staff member's own reply
            return None
        inbox = reverse("admin:chat-inbox")
        return Notice(
            Kind.CHAT, f"message:{payload['messageId']}", f"New message from {payload.get('senderName') or 'a customer'}",
            str(payload.get("message") or "")[:200], f"{inbox}{client}/", tag=f"chat-{client}",
            staff_user_id=group.removeprefix(STAFF_MEMBER_PREFIX) if to_member else "",
        )  # fmt: skip
    if group == events.STAFF_GROUP and event_type == "payment.confirmed" and payload.get("referenceNumber"):
        record_type, reference = str(payload.get("type") or ""), str(payload["referenceNumber"])
        url = reverse("admin:billing-payments", kwargs={"record_type": record_type, "record_id": reference})
        method = str(payload.get("paymentMethod") or "").replace("_", " ")
        return Notice(
            Kind.PAYMENT, f"payment.confirmed:{record_type}:{reference}", "Payment received",
            f"{record_type.capitalize()} {_short(reference)}" + (f" · {method}" if method else ""), url,
            tag=f"payment-{reference}", actor_id=str(payload.get("actorId") or ""),
        )  # fmt: skip
    if group == events.STAFF_GROUP and event_type == "appointment.report_uploaded" and appointment_id:
        return Notice(
            Kind.REPORT_REVIEW, f"report:{appointment_id}:{payload.get('s3Key', '')}", "Report to review",
            str(payload.get("message") or f"Appointment {_short(appointment_id)}"), _appointment_url(appointment_id),
            tag=f"report-{appointment_id}", actor_id=str(payload.get("actorId") or ""),
        )  # fmt: skip
    return None


def on_live_event(group: str, event_type: str, payload: dict[str, Any]) -> None:
    """The observer of every live event (staffapp.apps): hand a push to the worker."""
    if not settings.PUSH_ENABLED:
        return
    notice = classify(group, event_type, payload)
    if notice is None:
        return
    from staffapp.tasks import push_notify_task

    try:
        push_notify_task.delay(asdict(notice))
    except Exception:  # broker down: the live event went out, the push is lost (logged)
        logger.exception("Could not queue the push of %s", notice.event_key)


# --- Sending ------------------------------------------------------------------------------------


def recipients(notice: Notice) -> list[Staff]:
    """Active members who chose ``notice.kind`` and may get it (never the one who caused it)."""
    if notice.staff_user_id:
        found = staff_get_by_user_id(notice.staff_user_id)
        members = [found] if found is not None else []
    else:
        emails = get_user_model().objects.filter(is_staff=True, is_active=True).values_list("email", flat=True)
        members = staff_get_many(list(emails))
    return [
        member
        for member in members
        if member.is_active and member.user_id != notice.actor_id and notice.kind in chosen_kinds(member)
    ]


def delivery_id(event_key: str, subscription: PushSubscription) -> str:
    return hashlib.sha256(f"{event_key}#{subscription.subscription_id}".encode()).hexdigest()


def _claim(notice: Notice, subscription: PushSubscription) -> PushDelivery | None:
    """The delivery to attempt now, or None when it was sent (or is being sent, or is settled)."""
    record = PushDelivery(
        delivery_id=delivery_id(notice.event_key, subscription),
        event_key=notice.event_key[:500],
        kind=notice.kind,
        staff_user_id=subscription.staff_user_id,
        subscription_id=subscription.subscription_id,
        status=SENDING,
        attempts=1,
        created_at=clock.epoch_now(),
    )
    try:
        record.save(condition=PushDelivery.delivery_id.does_not_exist())
        return record
    except PutError as error:
        if not dynamodb.condition_failed(error):
            raise
    try:  # only a delivery left for a retry is tried again, by one worker
        record.update(
            actions=[PushDelivery.status.set(SENDING), PushDelivery.attempts.add(1)],
            condition=PushDelivery.status == RETRY,
        )
    except UpdateError as error:
        if dynamodb.condition_failed(error):
            return None
        raise
    return record


def _settle(record: PushDelivery, status: str, *, code: int | None = None, reason: str | None = None) -> str:
    actions: list[Any] = [PushDelivery.status.set(status)]
    if code is not None:
        actions.append(PushDelivery.status_code.set(code))
    if status == SENT:
        actions.append(PushDelivery.sent_at.set(clock.epoch_now()))
    if reason:
        actions.append(PushDelivery.failure_reason.set(reason[:500]))
    record.update(actions=actions)
    return status


def push_to(subscription: PushSubscription, notice: Notice) -> str | None:
    """Push ``notice`` to one device, once; the status, or None when an earlier attempt has it."""
    record = _claim(notice, subscription)
    if record is None:
        return None
    try:
        code = backend().send(subscription, notice.payload(), ttl=settings.PUSH_TTL_SECONDS)
    except PushGone as error:
        PushSubscription(
            staff_user_id=subscription.staff_user_id, subscription_id=subscription.subscription_id
        ).delete()
        logger.info("Push subscription %s is gone (%s): removed", subscription.subscription_id, error)
        return _settle(record, GONE, reason=str(error))
    except PushRetry as error:
        logger.warning("Push %s to %s failed for now: %s", notice.event_key, subscription.subscription_id, error)
        return _settle(record, RETRY, reason=str(error))
    except Exception as error:  # refused for good, or a bug of ours: recorded, never retried blindly
        logger.exception("Push %s to %s failed", notice.event_key, subscription.subscription_id)
        return _settle(record, FAILED, reason=f"{type(error).__name__}: {error}")
    return _settle(record, SENT, code=code)


def deliver(notice: Notice) -> dict[str, int]:
    """Push ``notice`` to every device of every recipient; PushRetry when some should be retried."""
    counts: dict[str, int] = {}
    for member in recipients(notice):
        for subscription in devices_of(member.user_id):
            status = push_to(subscription, notice) or "duplicate"
            counts[status] = counts.get(status, 0) + 1
    if counts.get(RETRY):
        raise PushRetry(f"{counts[RETRY]} push(es) of {notice.event_key} to retry")
    return counts
