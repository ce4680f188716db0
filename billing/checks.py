"""Start-up checks of billing settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

ABN_WEIGHTS = (10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19)


def abn_is_valid(abn: str) -> bool:
    """The ATO checksum: subtract 1 from the first digit, weigh, and the sum divides by 89."""
    digits = [int(ch) for ch in str(abn) if ch.isdigit()]
    if len(digits) != 11 or len(str(abn).replace(" ", "")) != 11:
        return False
    digits[0] -= 1
    return sum(d * w for d, w in zip(digits, ABN_WEIGHTS, strict=True)) % 89 == 0


@register()
def check_business_abn(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Tax invoices print the ABN, so a mistyped one must stop the start-up."""
    if abn_is_valid(getattr(settings, "BUSINESS_ABN", "")):
        return []
    return [Error(f"BUSINESS_ABN {settings.BUSINESS_ABN!r} is not a valid ABN (checksum failed)", id="billing.E001")]
