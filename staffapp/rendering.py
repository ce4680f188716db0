"""Rendering helpers for portal pages contributed by any app."""

from __future__ import annotations

from typing import Any, TypeVar

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from staffapp.sites import portal_site

T = TypeVar("T")


def render_page(request: HttpRequest, template: str, context: dict[str, Any], *, title: str) -> HttpResponse:
    """Render a portal page with the admin's context (header, user links, permissions)."""
    full_context = {**portal_site.each_context(request), "title": title, **context}
    return TemplateResponse(request, template, full_context)


def or_404(found: T | None, message: str) -> T:
    """What a page's URL names, as its selector found it; None is the 404 page saying ``message``."""
    if found is None:
        raise Http404(message)
    return found
