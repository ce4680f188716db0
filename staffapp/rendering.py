"""Rendering helpers for portal pages contributed by any app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from staffapp.sites import portal_site


def render_page(request: HttpRequest, template: str, context: dict[str, Any], *, title: str) -> HttpResponse:
    """Render a portal page with the admin's context (header, user links, permissions)."""
    full_context = {**portal_site.each_context(request), "title": title, **context}
    return TemplateResponse(request, template, full_context)
