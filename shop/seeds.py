"""The parts catalogue of the original seed data."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from autolab.seeding import put_missing
from shop.models import CATALOGUE_PARTITION, ItemPrice

CATALOGUE = [
    (1, 1, "Engines & Parts", "V8 Engine", "150"),
    (1, 2, "Engines & Parts", "V10 Engine", "120"),
    (2, 1, "Tyres & Wheels", "Alloy Wheels", "200"),
    (2, 2, "Tyres & Wheels", "Winter Tyres", "100"),
]


def seed(*, demo_staff: bool = False) -> Iterator[str]:
    items = (
        ItemPrice(
            category_id=category_id,
            item_id=item_id,
            category_name=category,
            item_name=name,
            price=Decimal(price),
            active=True,
        )
        for category_id, item_id, category, name, price in CATALOGUE
    )
    yield put_missing(items, "parts")
    yield _backfill_catalogue_key()


def _backfill_catalogue_key() -> str:
    """Rows written before catalogue-index existed get its key, so the catalogue lists them."""
    # A missing attribute reads back as its default, so compare with what the index holds instead.
    indexed = {(row.category_id, row.item_id) for row in ItemPrice.catalogue_index.query(CATALOGUE_PARTITION)}
    present = ItemPrice.batch_get([(c, i) for c, i, *_ in CATALOGUE])
    missing = [row for row in present if (row.category_id, row.item_id) not in indexed]
    for row in missing:
        row.update(actions=[ItemPrice.catalogue.set(CATALOGUE_PARTITION)])
    return f"parts: catalogue key added to {len(missing)} rows"
