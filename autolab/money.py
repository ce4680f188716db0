"""Money: Decimal only, AUD, prices GST-inclusive. Stripe amounts are integer cents."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
GST_DIVISOR = Decimal(11)  # GST is 1/11 of a GST-inclusive Australian price (10% on top).


def to_money(value: Decimal | int | str | float) -> Decimal:
    """A Decimal rounded to cents. Floats are read through their shortest repr."""
    try:
        amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValueError(f"Not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"Not an amount: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(amount: Decimal) -> int:
    return int((to_money(amount) * 100).to_integral_value(rounding=ROUND_HALF_UP))


def from_cents(cents: int) -> Decimal:
    return to_money(Decimal(cents) / 100)


def gst_of(gross: Decimal) -> Decimal:
    """The GST contained in a GST-inclusive amount."""
    return to_money(to_money(gross) / GST_DIVISOR)


def money_str(amount: Decimal | int) -> str:
    """Amount as the seed's analytics strings: "220", "99.5" — no float artefacts, no trailing zeros."""
    return format(to_money(amount).normalize(), "f")


def money_display(amount: Decimal | int | str | float) -> str:
    """Amount for people: "$1,234.50"."""
    return f"${to_money(amount):,.2f}"


def json_number(amount: Decimal) -> int | float:
    """Amount for a JSON response, as the original sent numbers (220, not "220.00")."""
    value = to_money(amount)
    return int(value) if value == value.to_integral_value() else float(value)
