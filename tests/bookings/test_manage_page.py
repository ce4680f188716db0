"""The customer's manage page behind a signed, expiring link: view, reschedule, cancel."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from django.test import Client

from autolab import clock
from bench.harness import count_dynamodb_calls
from bookings import manage_links, notifications, selectors
from bookings.models import Appointment
from bookings.reminders import sms_text
from emails.models import EmailMetadata
from emails.rendering import render_email
from tests.bookings.conftest import booking, future_day
from tests.bookings.test_call_counts import SEND

SLOT = {"date": future_day(), "start": "09:00", "end": "11:00"}


def outbox(email_type, appointment_id):  # test inspection only
    return [m for m in EmailMetadata.scan() if m.email_type == email_type and appointment_id in (m.context or "")]


@pytest.fixture(autouse=True)
def two_places(capacity):
    capacity(2)  # no mechanics in these tests: the capacity is set


@pytest.fixture
def scheduled(support):
    """Book for a customer (as support) and schedule it at ``slot``; returns the appointment id."""

    def make(slot=SLOT, email="cara@example.com"):
        buyer = {"name": "Cara Buyer", "email": email, "phoneNumber": "+61 412 345 678"}
        body = {"appointmentData": booking(selectedSlots=[], buyerData=buyer)}
        appointment_id = support.api().post("/api/appointments", body, format="json").json()["appointmentId"]
        response = support.api().patch(
            f"/api/appointments/{appointment_id}", {"scheduledTimeSlot": slot}, format="json"
        )
        assert response.status_code == 200, response.json()
        return appointment_id

    return make


def path_of(appointment_id):
    return urlsplit(manage_links.manage_url(appointment_id)).path


def post(appointment_id, **data):
    return Client().post(path_of(appointment_id), data)


def test_the_link_is_absolute_and_opens_the_booking(scheduled, settings):
    appointment_id = scheduled()
    url = manage_links.manage_url(appointment_id)
    assert url.startswith(settings.PUBLIC_BASE_URL.rstrip("/") + "/manage/")
    response = Client().get(urlsplit(url).path)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{SLOT['date']}, 09:00\u201311:00" in page  # an en dash between the times
    assert "Move my booking" in page
    assert "Cancel my booking" in page


def test_a_tampered_link_is_refused_with_a_clear_page(scheduled):
    appointment_id = scheduled()
    token = manage_links.manage_token(appointment_id)
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense", token.replace(":", ".", 1)):
        response = Client().get(f"/manage/{bad}")
        assert response.status_code == 403
        assert manage_links.TAMPERED in response.content.decode()
        assert Client().post(f"/manage/{bad}", {"action": "cancel"}).status_code == 403
    assert Appointment.get(appointment_id).status == "SCHEDULED"


def test_an_expired_link_is_refused_and_changes_nothing(scheduled):
    appointment_id = scheduled()
    stale = manage_links.manage_token(appointment_id, issued_at=clock.epoch_now() - manage_links.max_age() - 1)
    response = Client().get(f"/manage/{stale}")
    assert response.status_code == 410
    assert manage_links.EXPIRED in response.content.decode()
    moved = Client().post(f"/manage/{stale}", {"action": "reschedule", "slot": f"{future_day(8)} 13:00-15:00"})
    assert moved.status_code == 410
    assert Appointment.get(appointment_id).scheduled_time_slot.date == SLOT["date"]


def test_rescheduling_to_a_free_time_moves_it_and_emails_the_customer(scheduled):
    appointment_id = scheduled()
    version = Appointment.get(appointment_id).version
    response = post(appointment_id, action="reschedule", slot=f"{future_day(8)} 13:00-15:00", version=version)
    assert response.status_code == 303
    assert response["Location"].endswith("?done=rescheduled")
    stored = Appointment.get(appointment_id)
    assert (stored.scheduled_time_slot.date, stored.scheduled_time_slot.start, stored.status) == (
        future_day(8),
        "13:00",
        "SCHEDULED",
    )
    assert selectors.day_state(SLOT["date"]).load.get("0900", 0) == 0
    assert selectors.day_state(future_day(8)).load["1300"] == 1
    assert len(outbox("appointment_updated", appointment_id)) == 2  # staff's scheduling, then the customer's
    done = Client().get(response["Location"])
    assert done.status_code == 200
    assert "Your booking has been moved" in done.content.decode()


def test_rescheduling_outside_the_rules_is_refused_and_changes_nothing(scheduled, capacity):
    capacity(1)
    appointment_id = scheduled()
    scheduled(slot={"date": future_day(8), "start": "13:00", "end": "15:00"}, email="olly@example.com")
    version = Appointment.get(appointment_id).version
    refused = {
        f"{future_day(8)} 13:00-15:00": 409,  # taken: capacity one
        f"{future_day(8)} 13:15-15:15": 400,  # not a time the plan is offered at
        f"{future_day(8)} 13:00-14:00": 400,  # not the plan's length
        f"{future_day(20)} 13:00-15:00": 400,  # beyond the offered fortnight
        f"{clock.business_today().replace(year=clock.business_today().year - 1)} 13:00-15:00": 400,  # past
        "garbage": 400,
    }
    for slot, status in refused.items():
        response = post(appointment_id, action="reschedule", slot=slot, version=version)
        assert response.status_code == status, (slot, response.status_code)
        assert 'role="alert"' in response.content.decode()
    assert (
        "fully booked"
        in post(appointment_id, action="reschedule", slot=f"{future_day(8)} 13:00-15:00").content.decode()
    )
    stored = Appointment.get(appointment_id)
    assert (stored.version, stored.scheduled_time_slot.date) == (version, SLOT["date"])


def test_two_customers_racing_for_the_last_place_one_wins(scheduled, capacity):
    capacity(1)
    first = scheduled()
    second = scheduled(slot={"date": future_day(9), "start": "09:00", "end": "11:00"}, email="olly@example.com")
    target = f"{future_day(8)} 13:00-15:00"
    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(pool.map(lambda a: post(a, action="reschedule", slot=target).status_code, [first, second]))
    assert sorted(statuses) == [303, 409], statuses
    moved = [a for a in Appointment.batch_get([first, second]) if a.scheduled_time_slot.date == future_day(8)]
    assert len(moved) == 1
    assert selectors.day_state(future_day(8)).load["1300"] == 1


def test_cancelling_in_the_free_window_cancels_and_frees_the_slot(scheduled):
    appointment_id = scheduled()
    response = post(appointment_id, action="cancel")
    assert response.status_code == 303
    assert response["Location"].endswith("?done=cancelled")
    stored = Appointment.get(appointment_id)
    assert (stored.status, stored.scheduled_time_slot) == ("CANCELLED", None)
    assert selectors.day_state(SLOT["date"]).load.get("0900", 0) == 0
    assert len(outbox("appointment_updated", appointment_id)) == 2


def test_a_late_or_paid_cancellation_becomes_a_request_staff_see_live(scheduled, settings, support, staff_events):
    late = scheduled()
    paid = scheduled(email="olly@example.com")
    Appointment.get(paid).update(actions=[Appointment.payment_status.set("paid")])
    settings.CANCELLATION_FREE_HOURS = 24 * 60  # the late one is now inside the window
    for appointment_id in (late, paid):
        assert "Ask to cancel" in Client().get(path_of(appointment_id)).content.decode()
        response = post(appointment_id, action="cancel")
        assert response.status_code == 303
        assert response["Location"].endswith("?done=requested")
        stored = Appointment.get(appointment_id)
        assert (stored.status, stored.cancellation_requested_at is not None) == ("SCHEDULED", True)
        assert len(outbox("appointment_updated", appointment_id)) == 2
        assert post(appointment_id, action="cancel").status_code == 303  # asked again: nothing more is sent
        assert len(outbox("appointment_updated", appointment_id)) == 2
    requests = [e for e in staff_events() if e["type"] == "appointment.cancellation_requested"]
    assert sorted(e["appointmentId"] for e in requests) == sorted([late, paid])
    staff_page = support.portal().get(f"/admin/bookings/appointments/{late}/")
    assert staff_page.status_code == 200
    assert 'id="cancellation-requested"' in staff_page.content.decode()


def test_appointment_emails_carry_the_manage_link(scheduled):
    appointment_id = scheduled()
    context = notifications.email_context(Appointment.get(appointment_id))
    assert manage_links.appointment_from_token(urlsplit(context["manageUrl"]).path.rsplit("/", 1)[1]) == appointment_id
    rendered = render_email("appointment_updated", {**context, "update_type": "scheduling"})
    assert "Manage Booking" in rendered.html
    assert context["manageUrl"] in rendered.html


def test_an_unknown_action_is_a_clear_400(scheduled):
    response = post(scheduled(), action="explode")
    assert response.status_code == 400
    assert "Choose what to do" in response.content.decode()


def test_the_page_and_a_move_are_few_dynamodb_calls(scheduled):
    appointment_id = scheduled()
    Client().get(path_of(appointment_id))  # the plan is cached from here on
    with count_dynamodb_calls() as calls:
        assert Client().get(path_of(appointment_id)).status_code == 200
    # The appointment, then the fortnight's blocks and load in one BatchGetItem.
    assert calls == Counter({"GetItem": 1, "BatchGetItem": 1})
    with count_dynamodb_calls() as calls:
        response = post(appointment_id, action="reschedule", slot=f"{future_day(8)} 13:00-15:00")
    assert response.status_code == 303
    # The appointment and the new day's blocks (one BatchGetItem), then the staff's one transaction
    # (appointment, both days' load, email, audit), then the email's send.
    assert calls == Counter({"BatchGetItem": 1, "TransactWriteItems": 1}) + SEND
    assert Appointment.get(appointment_id).scheduled_time_slot.date == future_day(8)


def test_the_reminder_email_and_text_carry_the_manage_link(scheduled):
    appointment = Appointment.get(scheduled())
    context = notifications.email_context(appointment)
    assert "Manage Booking" in render_email("appointment_reminder", context).html
    text = sms_text(appointment)
    [url] = [word for word in text.split() if word.startswith("http")]
    assert url == context["manageUrl"]
    assert manage_links.appointment_from_token(urlsplit(url).path.rsplit("/", 1)[1]) == appointment.appointment_id
