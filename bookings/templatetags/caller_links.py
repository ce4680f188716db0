"""``{% caller_link "appointment" %}`` / ``{% caller_link "order" %}``: the list pages' button to
book or order for a caller on the phone, shown to the staff who may."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html

from autolab.permissions import Permission

register = template.Library()

LINKS = {
    "appointment": (Permission.APPOINTMENT_BOOK_FOR_CUSTOMER, "Book for a caller"),
    "order": (Permission.ORDER_CREATE_FOR_CUSTOMER, "Order for a caller"),
}


@register.simple_tag(takes_context=True)
def caller_link(context: dict[str, Any], purpose: str) -> str:
    permission, text = LINKS[purpose]
    staff = context.get("staff")
    if staff is None or not staff.has(permission):
        return ""
    url = f"{reverse('admin:bookings-caller')}?for={purpose}"
    return format_html(
        '<p class="portal-actions"><a class="button" id="caller-{}" href="{}">{}</a></p>', purpose, url, text
    )
