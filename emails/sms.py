"""Text messages to customers: ``send_sms`` sends one message at most once and records it.

The backend is chosen in settings like the email backend (``SMS_BACKEND``): ``FileBackend`` writes
one JSON file per message into ``SMS_FILE_PATH`` (dev, tests), ``SnsBackend`` publishes through
Amazon SNS (production). Every message is an SmsMessage item keyed by its caller's idempotency key,
written before the send with a condition, so a repeated call never texts twice. A number that
replied STOP (``sms_inbound``) is an SmsOptOut item and is skipped until it replies START.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from pynamodb.exceptions import PutError

from autolab import aws, clock, dynamodb
from autolab.validation import PHONE_PUNCTUATION, is_phone
from emails.models import SmsMessage, SmsOptOut

logger = logging.getLogger(__name__)

SENDING = "sending"
SENT = "sent"
OPTED_OUT = "opted_out"
FAILED = "failed"
INVALID = "invalid"  # not recorded: there is no number to text

# The keywords carriers and SNS treat as opting out or back in (case-insensitive, whole message).
STOP_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"})
START_KEYWORDS = frozenset({"START", "UNSTOP", "YES", "OPTIN"})
MAX_BODY = 640  # four SMS segments; longer texts are cut rather than sent as a wall of parts


class SmsBackend(Protocol):
    def send(self, to: str, text: str) -> str:
        """Send one message; returns the provider's message id."""


class FileBackend:
    """One JSON file per message in ``SMS_FILE_PATH``, like Django's file email backend."""

    def send(self, to: str, text: str) -> str:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        message_id = uuid.uuid4().hex
        name = f"{clock.epoch_now()}-{message_id}.json"
        (folder / name).write_text(json.dumps({"to": to, "text": text, "id": message_id}))
        return message_id


class SnsBackend:
    """Amazon SNS direct publish to a phone number, transactional (not marketing) messages."""

    def send(self, to: str, text: str) -> str:
        client = aws.client("sns", settings.AWS_DEFAULT_REGION, settings.AWS_SNS_ENDPOINT_URL or None)
        attributes = {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}}
        if settings.SMS_SENDER_ID:
            attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": settings.SMS_SENDER_ID}
        response = client.publish(PhoneNumber=to, Message=text, MessageAttributes=attributes)
        return str(response["MessageId"])


def backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def normalise_number(number: str) -> str | None:
    """E.164 (``+61412345678``); a local number (``0412 345 678``) gets ``SMS_DEFAULT_COUNTRY_CODE``.
    None when it is not a phone number."""
    if not number or not is_phone(number):
        return None
    digits = PHONE_PUNCTUATION.sub("", number)
    if digits.startswith("+"):
        return digits
    if digits.startswith("0"):
        return f"+{settings.SMS_DEFAULT_COUNTRY_CODE}{digits[1:]}"
    return f"+{digits}"


def sms_id(idempotency_key: str) -> str:
    """The same hash as an email's dedupe key (``services.already_queued`` reads both)."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()


def send_sms(to: str, text: str, idempotency_key: str) -> str:
    """Text ``to`` once per ``idempotency_key``; returns the message's status (the earlier one's,
    when the key was used before). Never raises for the provider: a failure is recorded."""
    number = normalise_number(to)
    if number is None:
        return INVALID
    record = SmsMessage(
        sms_id=sms_id(idempotency_key),
        to_number=number,
        body=text[:MAX_BODY],
        status=SENDING,
        created_at=clock.epoch_now(),
    )
    try:
        record.save(condition=SmsMessage.sms_id.does_not_exist())
    except PutError as error:
        if not dynamodb.condition_failed(error):
            raise
        return SmsMessage.get(record.sms_id, consistent_read=True).status
    if is_opted_out(number):
        return _settle(record, OPTED_OUT, reason="The number replied STOP")
    try:
        provider_id = backend().send(number, record.body)
    except Exception as error:
        # At most once: a failed send is recorded for a person to see, never retried blindly.
        logger.exception("SMS %s could not be sent", record.sms_id)
        return _settle(record, FAILED, reason=f"{type(error).__name__}: {error}"[:500])
    return _settle(record, SENT, provider_id=provider_id)


def _settle(record: SmsMessage, status: str, *, reason: str | None = None, provider_id: str | None = None) -> str:
    actions: list[Any] = [SmsMessage.status.set(status)]
    if provider_id:
        actions += [SmsMessage.provider_id.set(provider_id), SmsMessage.sent_at.set(clock.epoch_now())]
    if reason:
        actions.append(SmsMessage.failure_reason.set(reason))
    record.update(actions=actions)
    return status


def is_opted_out(number: str) -> bool:
    try:
        SmsOptOut.get(number)
    except SmsOptOut.DoesNotExist:
        return False
    return True


_WORD = re.compile(r"[A-Za-z]+")


def sms_inbound(from_number: str, body: str) -> str | None:
    """A customer's reply: STOP (and its synonyms) opts the number out, START opts it back in.
    Returns ``"opted_out"``/``"opted_in"``, or None for any other reply."""
    number = normalise_number(from_number)
    words = _WORD.findall(body or "")
    keyword = words[0].upper() if len(words) == 1 else ""
    if number is None or not keyword:
        return None
    if keyword in STOP_KEYWORDS:
        SmsOptOut(phone_number=number, keyword=keyword, created_at=clock.epoch_now()).save()
        return "opted_out"
    if keyword in START_KEYWORDS:
        SmsOptOut(phone_number=number).delete()
        return "opted_in"
    return None
