"""A Django email backend that sends through Amazon SES (API v2, raw MIME), for production.

``EMAIL_BACKEND=emails.ses_backend.SesEmailBackend``; region from ``AWS_DEFAULT_REGION``,
credentials from the standard AWS chain, ``AWS_SES_ENDPOINT_URL`` only for a local stand-in.
Throttling and unreachable endpoints raise ``ConnectionError`` so the sender retries them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from autolab import aws

_TRANSIENT_CODES = {
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "ServiceUnavailable",
    "InternalFailure",
}


class SesEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)

    def _ses(self) -> Any:
        endpoint_url = getattr(settings, "AWS_SES_ENDPOINT_URL", None) or None
        return aws.client("sesv2", settings.AWS_DEFAULT_REGION, endpoint_url)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            recipients = message.recipients()
            if not recipients:
                continue
            try:
                self._ses().send_email(
                    FromEmailAddress=message.from_email,
                    Destination={"ToAddresses": recipients},
                    Content={"Raw": {"Data": message.message().as_bytes(linesep="\r\n")}},
                )
            except ClientError as error:
                if self.fail_silently:
                    continue
                if error.response.get("Error", {}).get("Code") in _TRANSIENT_CODES:
                    raise ConnectionError(f"SES is busy: {error}") from error
                raise
            except BotoCoreError as error:  # endpoint unreachable, timeouts
                if self.fail_silently:
                    continue
                raise ConnectionError(f"SES unreachable: {error}") from error
            sent += 1
        return sent
