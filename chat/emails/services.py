"""Transactional email: the one way any app emails a customer.

``email_customer`` records the message in EmailMetadata (the outbox) once per ``dedupe_key`` and
enqueues the send; the worker renders, checks suppression and sends it exactly once.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from pynamodb.exceptions import PutError

from autolab import clock
from chat.models import EmailMetadata

_NAMESPACE = uuid.UUID("6f1c8c52-3c1e-4b1a-9f6e-2f0b7d8f6a10")


def email_customer(
    *,
    email_type: str,
    to_email: str,
    to_name: str = "",
    context: dict[str, Any],
    dedupe_key: str,
    attachments: list[str] | None = None,
) -> str:
    """Queue one customer email; the same ``dedupe_key`` never queues a second message.

    ``context`` must be JSON-serialisable: the template is rendered from it in the worker.
    Returns the EmailMetadata ``messageId``.
    """
    message_id = str(uuid.uuid5(_NAMESPACE, dedupe_key))
    now_ms = int(clock.now().timestamp() * 1000)
    record = EmailMetadata(
        message_id=message_id,
        from_email="",
        to_emails={to_email.lower()},
        subject="",
        email_type=email_type,
        status="queued",
        context=json.dumps({**context, "to_name": to_name}, default=str),
        attachments=attachments or None,
        is_read=True,
        created_at=now_ms,
        updated_at=clock.iso_local(),
    )
    try:
        record.save(condition=EmailMetadata.message_id.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return message_id
    _enqueue_send(message_id)
    return message_id


def _enqueue_send(message_id: str) -> None:
    """Hand the message to the email worker (filled in by the email module's task)."""
    from chat.emails import tasks

    tasks.email_send_task.delay(message_id)
