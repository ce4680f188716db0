"""The portal as an installable web app (#16.5): its manifest and its service worker.

Both are served under /admin/, so the worker's default scope is the whole portal (the
``Service-Worker-Allowed`` header says so explicitly). Neither needs a login: a browser fetches the
manifest without cookies, and neither says anything about the business beyond its name. The worker
shows the Web Push notifications ``staffapp.push`` sends and, on a click, opens the portal page the
notification names.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

THEME_COLOUR = "#1f3c5e"
BACKGROUND_COLOUR = "#ffffff"
ICONS = (
    ("staffapp/icons/icon-192.png", "192x192", "any"),
    ("staffapp/icons/icon-512.png", "512x512", "any"),
    ("staffapp/icons/icon-maskable-512.png", "512x512", "maskable"),
)


def manifest_dict() -> dict[str, object]:
    index = reverse("admin:index")
    return {
        "id": index,
        "name": f"{settings.BUSINESS_NAME} staff portal",
        "short_name": "Auto Lab staff",
        "description": "Jobs, bookings, chat and payments for the team.",
        "start_url": index,
        "scope": index,
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": static(src), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for src, sizes, purpose in ICONS
        ],
    }


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(json.dumps(manifest_dict(), indent=2), content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    context = {
        "icon": static("staffapp/icons/icon-192.png"),
        "badge": static("staffapp/icons/badge-96.png"),
        "home": reverse("admin:index"),
    }
    body = render_to_string("staffapp/service-worker.js", context)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("admin:index")
    response["Cache-Control"] = "no-cache"  # browsers check for a new worker on every navigation
    return response
