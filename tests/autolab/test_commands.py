"""create_tables, seed, createstaff, backup and restore: idempotent, loud, never destructive."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from autolab import dynamodb
from bookings.models import Appointment, SelectedSlot, ServicePrice, UnavailableSlot
from shop.models import ItemPrice
from staffapp.models import Staff
from tests.conftest import _truncate


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_tables_is_safe_to_run_twice() -> None:
    first = run("create_tables")
    second = run("create_tables")
    for model in dynamodb.registered_models():
        assert f"= {model.Meta.table_name} exists" in second
    assert "created" not in second
    assert "Tables are up to date." in first


def test_create_tables_adds_a_missing_table_without_touching_others(settings) -> None:
    ServicePrice(service_id=9, plan_id=9, service_name="S", plan_name="P", price=Decimal(1)).save()
    dynamodb.connection().client.delete_table(TableName=Staff.Meta.table_name)
    output = run("create_tables")
    assert f"+ created {Staff.Meta.table_name}" in output
    assert ServicePrice.get(9, 9).plan_name == "P"


def test_seed_is_idempotent_and_keeps_staff_edits(db) -> None:
    first = run("seed")
    assert "service plans: 11 created" in first
    assert "parts: 4 created" in first
    plan = ServicePrice.get(1, 1)
    assert (plan.price, plan.duration_minutes, plan.active) == (Decimal(220), 120, True)
    assert (ServicePrice.get(1, 2).price, ServicePrice.get(1, 2).duration_minutes) == (Decimal(280), 180)
    assert (ServicePrice.get(1, 3).price, ServicePrice.get(1, 3).duration_minutes) == (Decimal(350), 240)
    assert ServicePrice.get(6, 1).active is False
    assert ItemPrice.get(1, 1).price == Decimal(150)

    plan.update(actions=[ServicePrice.price.set(Decimal(230))])
    second = run("seed")
    assert "service plans: 0 created, 11 already present (kept)" in second
    assert ServicePrice.get(1, 1).price == Decimal(230)


def test_seed_adds_demo_staff_only_in_dev(db, settings) -> None:
    assert "demo staff: skipped" in run("seed")
    settings.AUTOLAB_ENV = "dev"
    assert "demo staff: 4 created" in run("seed")
    assert "demo staff: 0 created" in run("seed")
    assert Staff.get("admin@autolab.local").roles == ["ADMIN", "CUSTOMER_SUPPORT"]


def test_createstaff_creates_then_updates(db, client) -> None:
    output = run(
        "createstaff",
        "--email",
        "Jo@Autolab.test",
        "--name",
        "Jo",
        "--phone",
        "0451 237 048",
        "--roles",
        "ADMIN,MECHANIC",
        "--password",
        "first-pass-123",
    )
    assert "Created staff jo@autolab.test with roles ADMIN, MECHANIC" in output
    assert client.login(username="jo@autolab.test", password="first-pass-123")

    output = run(
        "createstaff",
        "--email",
        "jo@autolab.test",
        "--name",
        "Jo B",
        "--roles",
        "CLERK",
        "--password",
        "second-pass-456",
    )
    assert "Updated staff jo@autolab.test with roles CLERK" in output
    staff = Staff.get("jo@autolab.test")
    assert (staff.user_name, staff.roles) == ("Jo B", ["CLERK"])
    assert client.login(username="jo@autolab.test", password="second-pass-456")


def test_createstaff_refuses_unknown_roles(db) -> None:
    with pytest.raises(CommandError, match="Unknown role 'MANAGER'"):
        run("createstaff", "--email", "x@autolab.test", "--name", "X", "--roles", "MANAGER")


def _populate() -> None:
    """At least one item in every table, with nested maps, lists, sets, numbers and booleans."""
    from billing.models import Invoice, Payment
    from chat.models import Connection, Customer, Inquiry, Message
    from emails.models import EmailAnalytics, EmailMetadata, EmailSuppression
    from shop.models import Order, OrderLine

    Staff(user_email="a@x.au", user_id="s1", user_name="A", roles=["ADMIN"]).save()
    Customer(user_id="c1", user_name="Cat", last_seen=1700000000).save()
    Connection(connection_id="k1", user_id="c1", staff=False).save()
    Message(message_id="m1", message="héllo 👋", sender_id="c1", receiver_id="ALL", created_at=1700000001).save()
    UnavailableSlot(date="2030-01-02", time_slots=[{"start_time": "09:00", "end_time": "10:00"}]).save()
    Appointment(
        appointment_id="a1",
        service_id=1,
        plan_id=2,
        is_buyer=True,
        buyer_name="B",
        car_make="Toyota",
        car_model="Camry",
        car_year="2020",
        car_location="Perth",
        created_user_id="c1",
        price=Decimal("280.50"),
        selected_slots=[SelectedSlot(date="2030-01-02", start="09:00", end="12:00", priority=1)],
        reports=[{"fileName": "r.pdf", "approved": False}],
        created_at=1,
        created_date="2030-01-01",
        updated_at=1,
    ).save()
    ServicePrice(service_id=1, plan_id=1, service_name="S", plan_name="P", price=Decimal(220), features=["a"]).save()
    ItemPrice(category_id=1, item_id=1, category_name="E", item_name="V8", price=Decimal(150)).save()
    Order(
        order_id="o1",
        items=[OrderLine(category_id=1, item_id=1, quantity=2, unit_price=Decimal(150), total_price=Decimal(300))],
        customer_name="C",
        customer_email="c@x.au",
        customer_phone="0400000000",
        car_make="Honda",
        car_model="Civic",
        car_year="2019",
        delivery_location="Perth",
        created_user_id="c1",
        total_price=Decimal(300),
        created_at=1,
        created_date="2030-01-01",
        updated_at=1,
    ).save()
    Inquiry(
        inquiry_id="i1",
        first_name="F",
        last_name="L",
        email="f@x.au",
        message="Hi",
        user_id="c1",
        created_at=1,
        created_date="2030-01-01",
    ).save()
    Payment(
        payment_intent_id="pi_1",
        reference_number="a1",
        type="appointment",
        user_id="c1",
        amount=Decimal("280.50"),
        created_at=1,
        updated_at=1,
    ).save()
    Invoice(
        invoice_id="v1",
        payment_intent_id="pi_1",
        reference_number="a1",
        reference_type="appointment",
        created_at=1,
        analytics_data={
            "operation_type": "transaction",
            "operation_data": {"services": [{"service_name": "P", "price": "280.5"}]},
        },
    ).save()
    EmailSuppression(email="b@x.au", suppression_type="bounce", created_at="2030-01-01T00:00:00+08:00").save()
    EmailAnalytics(
        email="b@x.au",
        timestamp="2030-01-01T00:00:00+08:00",
        event_type="bounce",
        date_partition="2030-01-01",
        destination=["b@x.au"],
    ).save()
    EmailMetadata(
        message_id="e1", from_email="f@x.au", to_emails={"a@x.au", "b@x.au"}, created_at=1700000000000, thread_id="t1"
    ).save()


def _snapshot() -> dict[str, list]:
    client = dynamodb.connection().client
    result = {}
    for model in dynamodb.registered_models():
        items = []
        for page in client.get_paginator("scan").paginate(TableName=model.Meta.table_name):
            items.extend(page["Items"])
        result[model.logical_name] = sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return result


def test_backup_wipe_restore_gives_back_every_item_unchanged(tmp_path: Path) -> None:
    _populate()
    before = _snapshot()
    assert all(before[name] for name in ("Staff", "Appointments", "Invoices", "EmailMetadata"))

    output = run("backup", "--output", str(tmp_path / "b1"), "--quiet")
    assert "Backed up" in output
    assert (tmp_path / "b1" / "Appointments.json").exists()
    for model in dynamodb.registered_models():
        _truncate(model.Meta.table_name)
    assert not any(_snapshot().values())

    output = run("restore", "--input", str(tmp_path / "b1"), "--quiet")
    assert _snapshot() == before
    assert f"Restored {sum(map(len, before.values()))} items" in output


def test_restore_never_deletes_and_keeps_newer_items(tmp_path: Path) -> None:
    _populate()
    run("backup", "--output", str(tmp_path / "b1"), "--quiet")
    Staff.get("a@x.au").update(actions=[Staff.user_name.set("Newer name")])
    Staff(user_email="new@x.au", user_id="s2", user_name="New", roles=["CLERK"]).save()

    output = run("restore", "--input", str(tmp_path / "b1"), "--quiet")
    assert "already present, kept" in output
    assert Staff.get("a@x.au").user_name == "Newer name"
    assert Staff.get("new@x.au").user_name == "New"

    run("restore", "--input", str(tmp_path / "b1"), "--overwrite", "--quiet")
    assert Staff.get("a@x.au").user_name == "A"
    assert Staff.get("new@x.au").user_name == "New"


def test_restore_without_a_backup_says_so(tmp_path: Path, settings) -> None:
    settings.BACKUP_DIR = tmp_path / "none"
    with pytest.raises(CommandError, match="No backup folder found"):
        run("restore")


def test_restore_picks_the_newest_backup_by_default(tmp_path: Path, settings) -> None:
    settings.BACKUP_DIR = tmp_path
    Staff(user_email="old@x.au", user_id="s1", user_name="Old", roles=[]).save()
    run("backup", "--output", str(tmp_path / "2030-01-01T00-00-00Z"), "--quiet")
    Staff(user_email="new@x.au", user_id="s2", user_name="New", roles=[]).save()
    run("backup", "--output", str(tmp_path / "2030-01-02T00-00-00Z"), "--quiet")
    _truncate(Staff.Meta.table_name)
    run("restore", "--quiet")
    assert {s.user_email for s in Staff.batch_get(["old@x.au", "new@x.au"])} == {"old@x.au", "new@x.au"}
