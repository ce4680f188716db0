"""Field rules every app shares.

``is_email`` is Django's own validator (``django.core.validators.validate_email``: a dot-atom or
quoted local part, a domain with a real top-level label, an IP literal or ``localhost``) plus the
254-character limit of an address in an SMTP path (RFC 5321 §4.5.3.1.3). ``is_phone`` is the
original's phone rule.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

MAX_EMAIL_LENGTH = 254


def is_email(value: object) -> bool:
    """True when ``value`` is a string holding one email address that a mail server would accept."""
    if not isinstance(value, str) or len(value) > MAX_EMAIL_LENGTH:
        return False
    try:
        validate_email(value)
    except DjangoValidationError:
        return False
    return True


# The original's phone rule: an optional +country code and 7-15 digits, once spaces, dashes and
# brackets are dropped.
PHONE_RE = re.compile(r"^(\+\d{1,3})?\d{7,15}$")
PHONE_PUNCTUATION = re.compile(r"[\s\-()]")


def is_phone(value: str) -> bool:
    return bool(PHONE_RE.match(PHONE_PUNCTUATION.sub("", value)))
