"""Field rules shared by customer profiles, chat messages and inquiries (behaviour reference §3.1)."""

from __future__ import annotations

import re

from autolab.exceptions import ValidationError
from autolab.validation import is_email, is_phone

# Client-chosen message ids (the website sends "msg_<ms>_<rand>"); anything else is refused.
MESSAGE_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
MESSAGE_MAX_LENGTH = 2000

PROFILE_LIMITS = {"userName": 100, "userDevice": 200, "userLocation": 200}


def clean_text(value: object) -> str:
    """A trimmed string; non-strings count as empty."""
    return value.strip() if isinstance(value, str) else ""


def profile_field_error(field: str, value: str) -> str | None:
    """Why ``value`` is not acceptable for profile ``field`` (None when it is)."""
    if field == "userEmail" and not is_email(value):
        return "userEmail must be a valid email address"
    if field == "contactNumber" and not is_phone(value):
        return "contactNumber must be a valid phone number"
    limit = PROFILE_LIMITS.get(field)
    if limit is not None and not 1 <= len(value) <= limit:
        return f"{field} must be 1-{limit} characters"
    return None


def clean_profile(fields: dict[str, object], *, strict: bool) -> dict[str, str]:
    """Trimmed, non-empty, valid profile fields; ``strict`` raises on an invalid one, else drops it."""
    cleaned: dict[str, str] = {}
    for field in ("userEmail", "userName", "userDevice", "userLocation", "contactNumber"):
        value = clean_text(fields.get(field))
        if not value:
            continue
        error = profile_field_error(field, value)
        if error is None:
            cleaned[field] = value.lower() if field == "userEmail" else value
        elif strict:
            raise ValidationError(error)
    return cleaned


def clean_message_text(value: object, field: str = "message") -> str:
    text = clean_text(value)
    if not text:
        raise ValidationError(f"{field} is required")
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(f"{field} must be at most {MESSAGE_MAX_LENGTH} characters")
    return text
