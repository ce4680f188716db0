"""Field rules shared by customer profiles, chat messages and inquiries (behaviour reference §3.1)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

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


# The profile fields by their wire names (the website's, the socket's and the portal form's), in
# the order they are checked, with the Profile attribute each fills.
PROFILE_FIELDS = {
    "userEmail": "user_email",
    "userName": "user_name",
    "userDevice": "user_device",
    "userLocation": "user_location",
    "contactNumber": "contact_number",
}


@dataclass(frozen=True)
class Profile:
    """A customer's profile fields as ``clean_profile`` leaves them: trimmed, valid, None where not given."""

    user_email: str | None = None
    user_name: str | None = None
    user_device: str | None = None
    user_location: str | None = None
    contact_number: str | None = None

    def given(self) -> dict[str, str]:
        """The given fields by attribute name, in the order they are checked."""
        values = {attribute: getattr(self, attribute) for attribute in PROFILE_FIELDS.values()}
        return {attribute: value for attribute, value in values.items() if value is not None}

    def given_names(self) -> list[str]:
        """The wire names of the given fields (``updatedFields``), in the order they are checked."""
        return [wire for wire, attribute in PROFILE_FIELDS.items() if getattr(self, attribute) is not None]


def clean_profile(fields: Mapping[str, object], *, strict: bool) -> Profile:
    """The profile in ``fields`` (wire names): trimmed, empty ones skipped; ``strict`` raises on the
    first invalid one, else drops it (the socket's ``init``)."""
    cleaned: dict[str, str] = {}
    for field, attribute in PROFILE_FIELDS.items():
        value = clean_text(fields.get(field))
        if not value:
            continue
        error = profile_field_error(field, value)
        if error is None:
            cleaned[attribute] = value.lower() if field == "userEmail" else value
        elif strict:
            raise ValidationError(error)
    return Profile(**cleaned)


def clean_message_text(value: object, field: str = "message") -> str:
    text = clean_text(value)
    if not text:
        raise ValidationError(f"{field} is required")
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(f"{field} must be at most {MESSAGE_MAX_LENGTH} characters")
    return text
