"""Cursor paging for portal lists: one way to read ``?cursor=``, one answer to a cursor that is no good.

A cursor in a link can be old, edited by hand or taken from another list or filter; the selector refuses
it with an ApplicationError. The page then says why and shows the first page instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib import messages
from django.http import HttpRequest

from autolab.exceptions import ApplicationError

CURSOR = "cursor"


class PageLike(Protocol):
    items: list[Any]
    next_cursor: str | None


@dataclass(frozen=True)
class CursorPage:
    """One page of a list, and what ``staffapp/_pager.html`` needs to link the first and next pages."""

    items: list[Any]
    pager: dict[str, Any]


def cursor_page(request: HttpRequest, fetch: Callable[[str | None], PageLike | None]) -> CursorPage:
    """The page ``?cursor=`` asks for from ``fetch(cursor)``; an unusable cursor gives a message and page one."""
    cursor = request.GET.get(CURSOR) or None
    if cursor is not None:
        try:
            return _wrap(request, fetch(cursor), is_first=False)
        except ApplicationError as error:
            messages.error(request, error.message)  # the selector's words; the first page follows
    try:
        return _wrap(request, fetch(None), is_first=True)
    except ApplicationError as error:  # no cursor involved: still a message on the page, never a 500
        messages.error(request, error.message)
        return CursorPage(items=[], pager=pager_links(request, None, is_first=True))


def _wrap(request: HttpRequest, page: PageLike | None, *, is_first: bool) -> CursorPage:
    if page is None:  # the selector lists nothing for this staff member
        return CursorPage(items=[], pager=pager_links(request, None, is_first=is_first))
    return CursorPage(items=list(page.items), pager=pager_links(request, page.next_cursor, is_first=is_first))


def pager_links(request: HttpRequest, next_value: str | None, *, is_first: bool, param: str = CURSOR) -> dict[str, Any]:
    """Context of ``_pager.html``: this query without ``param`` (page one) and with the next page's value."""
    query = request.GET.copy()
    query.pop(param, None)
    base_query = query.urlencode()
    next_query = None
    if next_value:
        query[param] = next_value
        next_query = query.urlencode()
    return {"next_cursor": next_value, "base_query": base_query, "next_query": next_query, "is_first": is_first}
