"""Suppression of bounced and complaining addresses, and the EmailAnalytics event log (writes).

SES reports bounces, complaints and deliveries through SNS; ``ses_notification_process`` turns one
verified notification into suppression entries and analytics events. Every write here is
idempotent: SNS may deliver the same notification twice, and the keys are derived from it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import logging
from typing import Any

from django.conf import settings
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from autolab import audit, clock, dynamodb
from autolab.exceptions import Conflict, NotFound, ValidationError
from autolab.permissions import StaffIdentity
from emails.inbound import email_record_inbound
from emails.models import EmailAnalytics, EmailAnalyticsDaily, EmailSuppression
from emails.selectors import (
    ACTIVE,
    SERIES_OF_EVENT,
    normalise_address,
    suppression_expired,
    suppression_list_for,
)

logger = logging.getLogger(__name__)

BOUNCE_TTL_DAYS = 365
COMPLAINT_TTL_DAYS = 730
ANALYTICS_TTL_DAYS = 730
DELIVERY_TTL_DAYS = 365
SUPPRESSING_BOUNCE_TYPES = ("Permanent", "Undetermined")
MANUAL_TYPES = ("manual", "bounce", "complaint", "unsubscribe")


def _ttl(moment: dt.datetime, days: int) -> dt.datetime:
    return moment + dt.timedelta(days=days)


def _parse_time(value: Any) -> dt.datetime:
    """An SES timestamp (ISO 8601, ``Z``), or now when missing or malformed."""
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return clock.now()
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _event_key(moment: dt.datetime, unique: str) -> str:
    """Sort key: local ISO time, then a short digest so two events in one millisecond never collide."""
    digest = hashlib.sha256(unique.encode()).hexdigest()[:12]
    return f"{clock.to_local(moment).isoformat(timespec='milliseconds')}#{digest}"


def _analytics_event(
    *, email: str, event_type: str, moment: dt.datetime, unique: str, ttl_days: int, **fields: Any
) -> EmailAnalytics:
    """One event; its key derives from the event, so writing it again finds it there."""
    return EmailAnalytics(
        email=normalise_address(email),
        timestamp=_event_key(moment, f"{event_type}|{unique}"),
        event_type=event_type,
        date_partition=clock.business_date_str(moment),
        environment=settings.AUTOLAB_ENV,
        ttl=_ttl(moment, ttl_days),
        **{name: value for name, value in fields.items() if value not in (None, "", [])},
    )


def _analytics_put(
    *, email: str, event_type: str, moment: dt.datetime, unique: str, ttl_days: int, **fields: Any
) -> None:
    """Log one event and count it in its day's counter, in one transaction. The key derives from the
    event, so a redelivered notification or a retried task finds it there and counts nothing."""
    event = _analytics_event(
        email=email, event_type=event_type, moment=moment, unique=unique, ttl_days=ttl_days, **fields
    )
    series = SERIES_OF_EVENT.get(event_type)
    if series is None:
        event.save()
        return
    counter = EmailAnalyticsDaily(date=event.date_partition)
    try:
        with dynamodb.transaction() as transaction:
            transaction.save(event, condition=EmailAnalytics.email.does_not_exist())
            transaction.update(counter, actions=[getattr(EmailAnalyticsDaily, series).add(1)])
    except TransactWriteError as error:
        if not dynamodb.condition_failed(error):
            raise


def analytics_record_send(*, email: str, message_id: str, event_type: str) -> None:
    """One ``send`` or ``suppressed_send`` event for a transactional or staff message."""
    _analytics_put(
        email=email,
        event_type=event_type,
        moment=clock.now(),
        unique=f"{message_id}|{email}",
        ttl_days=ANALYTICS_TTL_DAYS,
        message_id=message_id,
        suppressed=event_type == "suppressed_send",
    )


def analytics_send_add(transaction: TransactWrite, *, emails: list[str], message_id: str, event_type: str) -> int:
    """Add ``analytics_record_send``'s events of ``emails`` (one per address) and their count on
    the day's counter to another write's ``transaction``, where they are the first puts; returns
    how many events (a failed condition among the first that many means "counted before")."""
    moment = clock.now()
    events = {
        normalise_address(email): _analytics_event(
            email=email,
            event_type=event_type,
            moment=moment,
            unique=f"{message_id}|{email}",
            ttl_days=ANALYTICS_TTL_DAYS,
            message_id=message_id,
            suppressed=event_type == "suppressed_send",
        )
        for email in emails
    }
    for event in events.values():
        transaction.save(event, condition=EmailAnalytics.email.does_not_exist())
    series = getattr(EmailAnalyticsDaily, SERIES_OF_EVENT[event_type])
    transaction.update(EmailAnalyticsDaily(date=clock.business_date_str(moment)), actions=[series.add(len(events))])
    return len(events)


def _suppress(*, email: str, suppression_type: str, moment: dt.datetime, ttl_days: int | None, **fields: Any) -> None:
    """Write (or refresh) an active suppression entry."""
    created = clock.to_local(moment).isoformat(timespec="seconds")
    EmailSuppression(
        email=normalise_address(email),
        suppression_type=suppression_type,
        created_at=created,
        status=ACTIVE,
        list_partition=ACTIVE,
        environment=settings.AUTOLAB_ENV,
        ttl=_ttl(moment, ttl_days) if ttl_days else None,
        **{name: value for name, value in fields.items() if value not in (None, "")},
    ).save()


# --- SES notifications -------------------------------------------------------------------------


def ses_notification_process(notification: dict[str, Any], *, sns_message_id: str) -> dict[str, int]:
    """Apply one SES event (Bounce, Complaint or Delivery); returns counts of what was done."""
    kind = notification.get("notificationType") or notification.get("eventType") or ""
    mail = _object(notification, "mail")
    handlers = {
        "Bounce": _process_bounce,
        "Complaint": _process_complaint,
        "Delivery": _process_delivery,
        "Received": _process_received,
    }
    handler = handlers.get(kind)
    if handler is None:
        logger.info("Ignoring SES notification of type %r", kind)
        return {"ignored": 1}
    return handler(notification, mail, sns_message_id)


def _object(block: dict[str, Any], key: str) -> dict[str, Any]:
    """``block[key]`` when it is a JSON object, else ``{}``: SES leaves fields out."""
    value = block.get(key)
    return value if isinstance(value, dict) else {}


def _recipients(block: dict[str, Any], key: str) -> list[str]:
    value = block.get(key)
    entries = value if isinstance(value, list) else []
    addresses = [entry.get("emailAddress") if isinstance(entry, dict) else entry for entry in entries]
    return [normalise_address(address) for address in addresses if isinstance(address, str) and "@" in address]


def _process_bounce(notification: dict[str, Any], mail: dict[str, Any], sns_id: str) -> dict[str, int]:
    bounce = _object(notification, "bounce")
    bounce_type, subtype = str(bounce.get("bounceType") or ""), str(bounce.get("bounceSubType") or "")
    moment = _parse_time(bounce.get("timestamp") or mail.get("timestamp"))
    suppress = bounce_type in SUPPRESSING_BOUNCE_TYPES
    counts = {"bounced": 0, "suppressed": 0}
    for email in _recipients(bounce, "bouncedRecipients"):
        common = {
            "bounce_type": bounce_type,
            "bounce_subtype": subtype,
            "message_id": mail.get("messageId"),
            "source": mail.get("source"),
        }
        if suppress:
            reason = f"Bounce: {bounce_type}/{subtype}"
            _suppress(
                email=email, suppression_type="bounce", moment=moment, ttl_days=BOUNCE_TTL_DAYS, reason=reason, **common
            )
            counts["suppressed"] += 1
        _analytics_put(
            email=email,
            event_type="bounce",
            moment=moment,
            unique=f"{sns_id}|{email}",
            ttl_days=ANALYTICS_TTL_DAYS,
            suppressed=suppress,
            destination=[d for d in mail.get("destination") or [] if isinstance(d, str)],
            **common,
        )
        counts["bounced"] += 1
    return counts


def _process_complaint(notification: dict[str, Any], mail: dict[str, Any], sns_id: str) -> dict[str, int]:
    complaint = _object(notification, "complaint")
    moment = _parse_time(complaint.get("timestamp") or mail.get("timestamp"))
    feedback = str(complaint.get("complaintFeedbackType") or "")
    counts = {"complained": 0, "suppressed": 0}
    for email in _recipients(complaint, "complainedRecipients"):
        common = {
            "complaint_feedback_type": feedback,
            "complaint_subtype": complaint.get("complaintSubType"),
            "message_id": mail.get("messageId"),
            "source": mail.get("source"),
            "feedback_id": complaint.get("feedbackId"),
            "user_agent": complaint.get("userAgent"),
            "arrival_date": complaint.get("arrivalDate"),
        }
        reason = f"Complaint: {feedback or 'unspecified'}"
        _suppress(
            email=email,
            suppression_type="complaint",
            moment=moment,
            ttl_days=COMPLAINT_TTL_DAYS,
            reason=reason,
            **common,
        )
        _analytics_put(
            email=email,
            event_type="complaint",
            moment=moment,
            unique=f"{sns_id}|{email}",
            ttl_days=ANALYTICS_TTL_DAYS,
            suppressed=True,
            **common,
        )
        counts["complained"] += 1
        counts["suppressed"] += 1
    return counts


def _process_delivery(notification: dict[str, Any], mail: dict[str, Any], sns_id: str) -> dict[str, int]:
    delivery = _object(notification, "delivery")
    moment = _parse_time(delivery.get("timestamp") or mail.get("timestamp"))
    recipients = [normalise_address(r) for r in delivery.get("recipients") or [] if isinstance(r, str) and "@" in r]
    processing = delivery.get("processingTimeMillis")
    for email in recipients:
        _analytics_put(
            email=email,
            event_type="delivery",
            moment=moment,
            unique=f"{sns_id}|{email}",
            ttl_days=DELIVERY_TTL_DAYS,
            processing_time_millis=processing if isinstance(processing, int) else None,
            smtp_response=delivery.get("smtpResponse"),
            reporting_mta=delivery.get("reportingMTA"),
            remote_mta_ip=delivery.get("remoteMtaIp"),
            message_id=mail.get("messageId"),
            source=mail.get("source"),
        )
    return {"delivered": len(recipients)}


# --- Staff management --------------------------------------------------------------------------


def suppression_add(
    *, email: str, suppression_type: str = "manual", notes: str = "", actor: StaffIdentity
) -> EmailSuppression:
    """Suppress an address by hand; 409 when it is already actively suppressed for that type."""
    address = normalise_address(email)
    if suppression_type not in MANUAL_TYPES:
        raise ValidationError(f"reason must be one of: {', '.join(MANUAL_TYPES)}")
    now = clock.now()
    entry = EmailSuppression(
        email=address,
        suppression_type=suppression_type,
        created_at=clock.to_local(now).isoformat(timespec="seconds"),
        status=ACTIVE,
        list_partition=ACTIVE,
        reason=notes.strip() or f"Added by {actor.name or actor.email}",
        created_by=actor.email,
        environment=settings.AUTOLAB_ENV,
    )
    # Free when absent, removed, or expired but not yet swept by DynamoDB's TTL.
    free = EmailSuppression.email.does_not_exist() | (EmailSuppression.status != ACTIVE) | (EmailSuppression.ttl <= now)
    try:
        entry.save(condition=free)
    except PutError as error:
        if dynamodb.condition_failed(error):
            raise Conflict(f"{address} is already suppressed ({suppression_type})") from error
        raise
    return entry


def suppression_remove(*, email: str, suppression_type: str | None = None, actor: StaffIdentity) -> list[str]:
    """Lift the active suppressions of an address (all types, or one); returns the types lifted."""
    address = normalise_address(email)
    entries = [entry for entry in suppression_list_for(address) if suppression_type in (None, entry.suppression_type)]
    removed = []
    for entry in entries:
        try:
            entry.update(
                actions=[
                    EmailSuppression.status.set("removed"),
                    EmailSuppression.list_partition.remove(),
                    EmailSuppression.removed_at.set(clock.iso_local()),
                    EmailSuppression.removed_by.set(actor.email),
                ],
                condition=EmailSuppression.status == ACTIVE,
            )
        except UpdateError as error:
            if not dynamodb.condition_failed(error):
                raise
            continue  # someone else lifted it at the same moment
        removed.append(entry.suppression_type)
    if not removed:
        raise NotFound(f"{address} is not suppressed" + (f" ({suppression_type})" if suppression_type else ""))
    audit.record(actor, "suppression.remove", "suppression", address, changes={"suppressed": [sorted(removed), []]})
    return removed


def suppression_cleanup() -> int:
    """Mark entries whose ttl passed as expired, so the active list shows only live ones."""
    expired = 0
    for entry in suppression_expired():
        try:
            entry.update(
                actions=[EmailSuppression.status.set("expired"), EmailSuppression.list_partition.remove()],
                condition=EmailSuppression.status == ACTIVE,
            )
        except UpdateError as error:
            if not dynamodb.condition_failed(error):
                raise
            continue
        expired += 1
    return expired


def _process_received(notification: dict[str, Any], mail: dict[str, Any], sns_id: str) -> dict[str, int]:
    """An SES receipt rule's SNS action: the raw message is in ``content`` (UTF-8 or base64)."""
    content = notification.get("content")
    if not isinstance(content, str) or not content:
        raise ValidationError("Received notification without content")
    receipt = _object(notification, "receipt")
    action = _object(receipt, "action")
    encoding = str(action.get("encoding") or "UTF8").upper()
    try:
        raw = base64.b64decode(content, validate=True) if encoding == "BASE64" else content.encode("utf-8")
    except (binascii.Error, ValueError) as error:
        raise ValidationError("Received content is not valid base64") from error
    email_record_inbound(raw=raw)
    return {"received": 1}
