"""Links autolab hands out, in API answers and emails: absolute on ``PUBLIC_BASE_URL``.

The website lives on another origin, so a relative link would open on the website itself. A
customer's invoice link carries its own signature and expiry: it opens in a plain browser tab
without a cookie, a token or the customer's id.
"""

from __future__ import annotations

import time
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core import signing
from django.urls import reverse

_INVOICE_SALT = "autolab.links.invoice"


class LinkError(ValueError):
    """A forged link, or one for another invoice (``expired`` False), or an expired one."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


def absolute(path_or_url: str) -> str:
    """``path_or_url`` on autolab's public origin; an absolute URL (e.g. S3 presigned) is kept."""
    if urlsplit(path_or_url).scheme in ("http", "https"):
        return path_or_url
    return settings.PUBLIC_BASE_URL.rstrip("/") + "/" + path_or_url.lstrip("/")


def customer_link_max_age() -> int:
    return int(settings.CUSTOMER_LINK_MAX_AGE_SECONDS)


def invoice_pdf(invoice_id: str) -> str:
    """A signed, expiring link to the invoice's PDF that needs nothing else to open."""
    claims = {"i": invoice_id, "e": int(time.time()) + customer_link_max_age()}
    signature = signing.dumps(claims, salt=_INVOICE_SALT)
    path = reverse("payments-invoice-pdf", kwargs={"invoice_id": invoice_id})
    return absolute(f"{path}?signature={quote(signature)}")


def invoice_pdf_check(invoice_id: str, signature: str) -> None:
    """Raise LinkError unless ``signature`` was issued by ``invoice_pdf`` for this invoice and is live."""
    try:
        claims = signing.loads(signature, salt=_INVOICE_SALT)
    except signing.BadSignature as exc:
        raise LinkError("Invalid link") from exc
    if claims.get("i") != invoice_id:
        raise LinkError("Invalid link")
    if int(claims.get("e", 0)) < time.time():
        raise LinkError("This link has expired; reload the page for a new one", expired=True)
