"""devtools.imports: the app graph of the real tree follows ARCHITECTURE.md §3, and a tree that
breaks it (a cycle, a wrong direction, a reach into the API layer) fails, naming each import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from devtools import imports

REPOSITORY = Path(__file__).resolve().parents[2]


def test_the_real_tree_has_no_cycle_and_follows_section_3() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "devtools.imports"], cwd=REPOSITORY, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    edges = {line.split("->")[0].strip(): line.split("->")[1].strip() for line in run.stdout.splitlines()[1:9]}
    assert edges["billing"].startswith("autolab")
    assert edges["inspections"].startswith("autolab")
    assert edges["autolab"] == "-"  # autolab's only app imports are its wiring
    assert "autolab.urls -> staffapp" in run.stdout


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        for package in path.relative_to(root).parents:
            if package != Path("."):
                (root / package / "__init__.py").touch()
    return root


def _check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = imports.main(["--root", str(root)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_cycle_between_apps_fails_and_names_both_imports(tmp_path: Path, capsys) -> None:
    _tree(
        tmp_path,
        {
            "billing/services.py": "from bookings.selectors import appointment_get\n",
            "bookings/selectors.py": "def appointment_get(): ...\n",
            "bookings/services.py": "import os\n\nfrom billing import records\n",
            "billing/records.py": "",
        },
    )
    code, out, err = _check(tmp_path, capsys)
    assert code == 1
    assert "billing     -> bookings 1" in out
    assert "bookings    -> billing 1" in out
    assert (
        "cycle between apps billing, bookings: billing -> bookings (billing/services.py:1); "
        "bookings -> billing (bookings/services.py:3)"
    ) in err
    assert "bookings/services.py:3: bookings may not import billing.records" in err


def test_an_import_against_the_direction_fails_even_without_a_cycle(tmp_path: Path, capsys) -> None:
    _tree(
        tmp_path,
        {
            "emails/services.py": "def send(): ...\n",
            "chat/services.py": "from emails.services import send\n",  # allowed: chat emails customers
            "shop/selectors.py": "",
            "emails/delivery.py": "def deliver():\n    from shop.selectors import order_get\n",
            "staffapp/selectors.py": "from billing.models import Invoice\n",
            "billing/models.py": "",
        },
    )
    code, _, err = _check(tmp_path, capsys)
    assert code == 1
    assert "emails/delivery.py:2: emails may not import shop.selectors (§3: emails may use autolab, staffapp)" in err
    assert "staffapp/selectors.py:1: staffapp may not import billing.models" in err
    assert "cycle" not in err
    assert "chat/services.py" not in err


def test_imports_only_for_type_checking_count_too(tmp_path: Path, capsys) -> None:
    _tree(
        tmp_path,
        {
            "chat/services.py": (
                "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from bookings.models import Appointment\n"
            ),
            "bookings/models.py": "",
        },
    )
    code, out, err = _check(tmp_path, capsys)
    assert code == 1
    assert "chat        -> bookings 1" in out
    assert "chat/services.py:4: chat may not import bookings.models" in err


def test_autolab_imports_apps_only_in_its_wiring(tmp_path: Path, capsys) -> None:
    _tree(
        tmp_path,
        {
            "autolab/urls.py": "from bookings import apis\nfrom staffapp.sites import portal_site\n",
            "autolab/asgi.py": "from chat.routing import websocket_urlpatterns\n",
            "autolab/money.py": "from shop.models import ItemPrice\n",
            "bookings/apis.py": "",
            "staffapp/sites.py": "",
            "chat/routing.py": "",
            "shop/models.py": "",
        },
    )
    code, out, err = _check(tmp_path, capsys)
    assert code == 1
    assert err.count("\n  ") == 1
    assert "autolab/money.py:1: autolab imports shop.models outside its wiring" in err
    assert "autolab.asgi -> chat 1, autolab.urls -> bookings 1, autolab.urls -> staffapp 1" in out


def test_only_url_and_app_wiring_reach_into_an_api_or_portal_layer(tmp_path: Path, capsys) -> None:
    _tree(
        tmp_path,
        {
            "shop/apis.py": "def order_out(): ...\n",
            "shop/urls.py": "from shop import apis\n",
            "shop/apps.py": "from shop.apis import order_out\n",
            "shop/services/orders.py": "from ..apis import order_out\n",
            "shop/portal.py": "from shop.apis import order_out\n",
            "emails/attachment_apis.py": "",
            "emails/selectors.py": "from emails import attachment_apis\n",
        },
    )
    code, _, err = _check(tmp_path, capsys)
    assert code == 1
    assert "shop/services/orders.py:1: shop.services.orders imports shop.apis, the apis layer" in err
    assert "shop/portal.py:1: shop.portal imports shop.apis, the apis layer" in err
    assert "emails/selectors.py:1: emails.selectors imports emails.attachment_apis, the apis layer" in err
    assert "shop/urls.py" not in err
    assert "shop/apps.py" not in err


def test_only_a_portal_uses_the_staff_portal_shell(tmp_path: Path, capsys) -> None:
    _tree(
        tmp_path,
        {
            "staffapp/sites.py": "",
            "staffapp/selectors.py": "",
            "bookings/portal.py": "from staffapp.sites import portal_site\n",
            "bookings/selectors.py": "from staffapp.selectors import staff_list\n",
            "bookings/services.py": "from staffapp.sites import portal_site\n",
        },
    )
    code, _, err = _check(tmp_path, capsys)
    assert code == 1
    assert err.count("\n  ") == 1
    assert "bookings/services.py:1: bookings.services imports staffapp's portal shell (staffapp.sites)" in err


def test_a_tree_that_follows_the_rules_passes(tmp_path: Path, capsys) -> None:
    _tree(
        tmp_path,
        {
            "autolab/clock.py": "",
            "emails/services.py": "from autolab import clock\n",
            "bookings/services.py": "from emails import services\nfrom chat.selectors import customer_get\n",
            "chat/selectors.py": "",
            "billing/services.py": "from bookings import services\nfrom shop.models import Order\n",
            "shop/models.py": "",
        },
    )
    code, out, err = _check(tmp_path, capsys)
    assert (code, err) == (0, "")
    assert "billing     -> bookings 1, shop 1" in out
