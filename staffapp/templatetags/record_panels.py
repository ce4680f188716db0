"""``{% record_panels "appointment" appointment %}``: the sections other apps register for a record's
page (``portal_site.register_record_panel``), rendered where the page puts them."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from staffapp.sites import portal_site

register = template.Library()


@register.simple_tag(takes_context=True)
def record_panels(context: template.Context, record_type: str, record: Any) -> SafeString:
    request = context.get("request")
    if request is None:
        return mark_safe("")
    bodies = portal_site.render_record_panels(request, record_type, record)
    return mark_safe("".join(bodies))  # noqa: S308  (each body is a rendered, auto-escaped template)
