"""The portal installs as a web app (#16.5): manifest and service worker served under /admin/ with
the right content types, linked from every portal page, icons of the declared sizes."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from PIL import Image

pytestmark = pytest.mark.django_db


def test_the_manifest_describes_a_standalone_app_starting_at_the_portal():
    response = Client().get("/admin/manifest.webmanifest")  # no login: browsers fetch it without cookies
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == "/admin/"
    assert manifest["scope"] == "/admin/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#1f3c5e"
    assert manifest["name"] == "Auto Lab Solutions staff portal"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        served = Client().get(icon["src"])
        assert served.status_code == 200
        assert served["Content-Type"] == "image/png"
        width, height = (int(n) for n in icon["sizes"].split("x"))
        assert Image.open(io.BytesIO(b"".join(served.streaming_content))).size == (width, height)


def test_the_service_worker_is_served_as_javascript_for_the_whole_portal():
    response = Client().get("/admin/service-worker.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/admin/"
    body = response.content.decode()
    assert 'addEventListener("push"' in body
    assert 'addEventListener("notificationclick"' in body
    assert Client().post("/admin/service-worker.js").status_code == 405


def test_every_portal_page_links_the_manifest_and_registers_the_worker(admin):
    for page in (Client().get("/admin/login/"), admin.portal().get("/admin/")):
        html = page.content.decode()
        assert '<link rel="manifest" href="/admin/manifest.webmanifest">' in html
        assert '<meta name="theme-color" content="#1f3c5e">' in html
        assert re.search(
            r'<script id="autolab-pwa" src="[^"]+pwa[^"]*\.js" data-worker="/admin/service-worker.js"', html
        )
