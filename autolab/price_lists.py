"""The staff price list (``GET /api/prices``), filled by the apps that own prices.

Bookings owns the service plans and shop owns the parts; neither may import the other (§3), so
each registers the rows of its list under its response key in its ``AppConfig.ready`` and the view
(``autolab.apis.PricesApi``) reads them from here. A list no app registered is empty, as the
original answered when it had no parts catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PriceRows = list[dict[str, Any]]

_providers: dict[str, Callable[[], PriceRows]] = {}


def register_price_list(key: str, rows: Callable[[], PriceRows]) -> None:
    """``rows()`` answers the wire rows of the list named ``key`` (``"itemPrices"``, ``"servicePrices"``)."""
    _providers[key] = rows


def price_list(key: str) -> PriceRows:
    provider = _providers.get(key)
    return provider() if provider is not None else []
