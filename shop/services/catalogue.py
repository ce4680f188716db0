"""The parts catalogue: prices for order lines, and the admin's item and category changes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pynamodb.exceptions import PutError
from pynamodb.expressions.update import Action

from autolab import audit
from autolab.dynamodb import condition_failed
from autolab.exceptions import Conflict, NotFound, ValidationError
from autolab.money import money_str, to_money
from autolab.permissions import StaffIdentity
from shop import selectors, validation
from shop.models import CATALOGUE_PARTITION, ItemPrice, OrderLine
from shop.types import LineRequest


@dataclass(frozen=True)
class PricedLine:
    item: ItemPrice
    quantity: int

    @property
    def total(self) -> Decimal:
        return to_money(self.item.price * self.quantity)

    def as_order_line(self) -> OrderLine:
        return OrderLine(
            category_id=self.item.category_id,
            item_id=self.item.item_id,
            quantity=self.quantity,
            unit_price=to_money(self.item.price),
            total_price=self.total,
        )


def price_lines(lines: Iterable[LineRequest]) -> list[PricedLine]:
    """Unit prices from ItemPrices only; unknown or inactive items are refused, all named at once."""
    lines = list(lines)
    catalogue = selectors.item_prices_get_many((line.category_id, line.item_id) for line in lines)
    unknown = [line for line in lines if (line.category_id, line.item_id) not in catalogue]
    if unknown:
        named = ", ".join(f"categoryId {line.category_id} and itemId {line.item_id}" for line in unknown)
        raise ValidationError(f"Invalid category or item. Please check {named}")
    inactive = [catalogue[(line.category_id, line.item_id)] for line in lines]
    inactive = [item for item in inactive if not item.active]
    if inactive:
        named = ", ".join(
            f"{item.item_name} (categoryId {item.category_id}, itemId {item.item_id})" for item in inactive
        )
        raise ValidationError(f"Not available for ordering: {named}")
    return [PricedLine(item=catalogue[(line.category_id, line.item_id)], quantity=line.quantity) for line in lines]


def _price(value: Any) -> Decimal:
    try:
        price = to_money(value)
    except ValueError as exc:
        raise ValidationError("price must be an amount such as 120 or 99.50") from exc
    if price <= 0 or price > Decimal("1000000"):
        raise ValidationError("price must be more than 0 and at most 1,000,000")
    return price


# What an item's audit entry shows (its keys are the record id; ``catalogue`` is the index's key).
AUDITED = ("categoryName", "itemName", "price", "active")


def _audited(row: ItemPrice | None) -> dict[str, Any]:
    """The item's audited fields, the price as money text (stored 80 and saved 80.00 read the same)."""
    fields = audit.snapshot(row, only=AUDITED)
    return {**fields, "price": money_str(row.price)} if row is not None else fields


def _item_key(row: ItemPrice) -> str:
    return f"{row.category_id}:{row.item_id}"


def _category_name_of(category_id: int) -> str | None:
    return next((row.category_name for row in ItemPrice.query(category_id, limit=1)), None)


def item_price_add(
    *,
    category_id: int,
    item_id: int,
    category_name: str,
    item_name: str,
    price: Any,
    active: bool = True,
    actor: StaffIdentity,
) -> ItemPrice:
    """Add a catalogue item; an existing (category, item) pair is a 409, never overwritten."""
    if category_id < 1 or item_id < 1:
        raise ValidationError("categoryId and itemId must be positive")
    existing_name = _category_name_of(category_id)
    category_name = existing_name or validation.text(category_name, "categoryName", low=1, high=100)
    row = ItemPrice(
        category_id=category_id,
        item_id=item_id,
        category_name=category_name,
        item_name=validation.text(item_name, "itemName", low=1, high=100),
        price=_price(price),
        active=bool(active),
    )
    try:
        row.save(condition=ItemPrice.item_id.does_not_exist())
    except PutError as error:
        if not condition_failed(error):
            raise
        raise Conflict(f"Item {item_id} already exists in category {category_id}") from error
    audit.record(actor, "catalogue_item.add", "catalogue_item", _item_key(row), {}, _audited(row))
    return row


def item_price_change(
    *, category_id: int, item_id: int, item_name: str, price: Any, active: bool, actor: StaffIdentity
) -> ItemPrice:
    """Rename, re-price or (de)activate an item; existing orders keep the price they were made at."""
    row = selectors.item_price_get(category_id, item_id)
    if row is None:
        raise NotFound("Catalogue item not found")
    before = _audited(row)
    actions: list[Action] = [
        ItemPrice.item_name.set(validation.text(item_name, "itemName", low=1, high=100)),
        ItemPrice.price.set(_price(price)),
        ItemPrice.active.set(bool(active)),
        ItemPrice.catalogue.set(CATALOGUE_PARTITION),
    ]
    row.update(actions=actions, condition=ItemPrice.item_id.exists())
    audit.record(actor, "catalogue_item.change", "catalogue_item", _item_key(row), before, _audited(row))
    return row


def category_rename(*, category_id: int, category_name: str, actor: StaffIdentity) -> int:
    """Rename a category on every one of its items; returns how many items were renamed."""
    name = validation.text(category_name, "categoryName", low=1, high=100)
    rows = list(ItemPrice.query(category_id))
    if not rows:
        raise NotFound("Category not found")
    before = {"categoryName": rows[0].category_name}
    for row in rows:
        row.update(actions=[ItemPrice.category_name.set(name)], condition=ItemPrice.item_id.exists())
    audit.record(
        actor, "catalogue_category.rename", "catalogue_category", str(category_id), before, {"categoryName": name}
    )
    return len(rows)
