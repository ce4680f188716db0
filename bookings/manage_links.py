"""The customer's manage link of an appointment: signed, expiring, absolute on ``PUBLIC_BASE_URL``.

Every appointment email (and SMS) carries it; it opens autolab's own phone-first manage page in a
plain browser tab, without a cookie or a login, so the signature is the only proof. The expiry is a
claim inside the signed value (like autolab.links' invoice links), so a link can be minted for any
moment and the check reads ``autolab.clock``.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from autolab import clock, links

_SALT = "bookings.manage_links"
TAMPERED = "This link is not valid. Please use the link in your latest appointment email."
EXPIRED = "This link has expired. Please use the link in your latest appointment email, or contact us."


class ManageLinkError(ValueError):
    """A forged or altered link (``expired`` False), or an expired one."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


def max_age() -> int:
    return int(settings.MANAGE_LINK_MAX_AGE_SECONDS)


def manage_token(appointment_id: str, *, issued_at: int | None = None) -> str:
    """The signed token of ``appointment_id``'s manage link, live for ``max_age()`` from ``issued_at``."""
    issued = clock.epoch_now() if issued_at is None else issued_at
    return signing.dumps({"a": appointment_id, "e": issued + max_age()}, salt=_SALT)


def manage_url(appointment_id: str) -> str:
    """The absolute manage link of ``appointment_id``, for emails and SMS."""
    return links.absolute(reverse("bookings-manage", kwargs={"token": manage_token(appointment_id)}))


def appointment_from_token(token: str) -> str:
    """The appointment id ``token`` was issued for; ManageLinkError when it is forged or expired."""
    try:
        claims = signing.loads(token, salt=_SALT)
    except signing.BadSignature as error:
        raise ManageLinkError(TAMPERED) from error
    appointment_id, expires = (claims.get("a"), claims.get("e")) if isinstance(claims, dict) else (None, None)
    if not isinstance(appointment_id, str) or not isinstance(expires, int):
        raise ManageLinkError(TAMPERED)
    if expires < clock.epoch_now():
        raise ManageLinkError(EXPIRED, expired=True)
    return appointment_id
