"""``{% staff_badges staff %}``: the header's queue badges, rendered with the page (chat.badges)."""

from __future__ import annotations

from typing import Any

from django import template

from autolab.permissions import StaffIdentity
from chat.badges import badges_for

register = template.Library()


@register.inclusion_tag("chat/_badges.html")
def staff_badges(staff: StaffIdentity | None) -> dict[str, Any]:
    return {"badges": badges_for(staff) if staff is not None else []}
