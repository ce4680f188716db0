"""The client's address, for rate limits and the login lockout: one rule for HTTP and WebSocket.

``X-Forwarded-For`` is a list anyone can start: a client may send ``X-Forwarded-For: 1.2.3.4`` and
every proxy on the way appends the address it saw. Only the entries our own proxies appended can
be believed, so with ``TRUSTED_PROXY_COUNT = N`` the client is the N-th entry from the right
(``REMOTE_ADDR`` being the nearest proxy), and with N = 0 (the default: no proxy in front) the
header is ignored and ``REMOTE_ADDR`` is the client. daphne must run *without* ``--proxy-headers``,
which would replace ``REMOTE_ADDR`` with the header's left-most, client-chosen entry.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from django.conf import settings

UNKNOWN = "unknown"


def client_ip(meta: Mapping[str, Any]) -> str:
    """The client address of a request, from its ``META`` (WSGI/ASGI environ)."""
    remote = str(meta.get("REMOTE_ADDR") or "")
    trusted = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if trusted <= 0:
        return _normalised(remote) or UNKNOWN
    forwarded = [entry.strip() for entry in str(meta.get("HTTP_X_FORWARDED_FOR") or "").split(",")]
    chain = [entry for entry in forwarded if entry] + [remote]
    # chain[-1] is the nearest proxy, chain[-1 - k] what the k-th proxy saw; fewer entries than
    # proxies means the request skipped the outer ones, and the left-most is still a proxy's view.
    candidate = chain[max(len(chain) - 1 - trusted, 0)]
    return _normalised(candidate) or candidate[:64] or UNKNOWN


def client_ip_from_scope(scope: Mapping[str, Any]) -> str:
    """The same rule for an ASGI scope (WebSocket consumers)."""
    client = scope.get("client") or ("", 0)
    headers = dict(scope.get("headers") or [])
    forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1")
    return client_ip({"REMOTE_ADDR": client[0] or "", "HTTP_X_FORWARDED_FOR": forwarded})


def _normalised(value: str) -> str:
    """A canonical IP address, with a port (``1.2.3.4:5678``, ``[::1]:80``) dropped; '' if not one."""
    text = value.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return ""
