"""The one shape of a portal POST action: call the service, say how it went, redirect (or re-render).

Only domain errors (ApplicationError) are caught: their message is written for staff. A data-layer
outage is not one; it propagates to DataLayerUnavailableMiddleware, which answers 503.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, overload

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from autolab.exceptions import ApplicationError

T = TypeVar("T")


Message = str | Callable[[T], str] | None


@overload
def post_action(
    request: HttpRequest, call: Callable[[], T], *, success: Message[T], redirect_to: str
) -> HttpResponse: ...


@overload
def post_action(
    request: HttpRequest,
    call: Callable[[], T],
    *,
    success: Message[T],
    redirect_to: str | Callable[[T], str],
    form: forms.BaseForm | None = None,
    stay_on_error: bool = False,
) -> HttpResponse | None: ...


def post_action(
    request: HttpRequest,
    call: Callable[[], T],
    *,
    success: Message[T],
    redirect_to: str | Callable[[T], str],
    form: forms.BaseForm | None = None,
    stay_on_error: bool = False,
) -> HttpResponse | None:
    """Run ``call``; on success flash ``success`` and redirect to ``redirect_to`` (a URL name or path).

    On a domain error: with ``form``, the message goes on the form and None is returned so the caller
    re-renders the form with the input kept; with ``stay_on_error``, it is a message and None; else it is
    a message and the same redirect. Either argument may be a function of ``call``'s result.
    """
    try:
        result = call()
    except ApplicationError as error:
        if form is not None:
            form.add_error(None, error.message)
            return None
        messages.error(request, error.message)
        if stay_on_error:
            return None
        if not isinstance(redirect_to, str):
            raise TypeError("a redirect that depends on the result needs form= or stay_on_error=True") from error
        return redirect(redirect_to)
    text = success(result) if callable(success) else success
    if text:
        messages.success(request, text)
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)


def refused(request: HttpRequest, message: str, to: str, **kwargs: Any) -> HttpResponse:
    """An action that did not happen: say why, and go back to ``to`` (a URL name with ``kwargs``, or a path)."""
    messages.error(request, message)
    return redirect(to, **kwargs)
