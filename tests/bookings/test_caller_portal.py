"""#19.1: support books an appointment for a caller in the portal, through the API's booking service.

The caller is found (chat's customer search) or added; the slot comes from the live availability
the API's ``availability`` endpoint computes; bad input re-renders the form with what was typed and
writes nothing.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.test import Client

from bookings.models import Appointment, AppointmentStatus, BlockedPeriod, UnavailableSlot
from chat.models import Customer
from chat.services import customer_register
from emails.models import EmailMetadata
from tests.bookings.conftest import future_day

pytestmark = pytest.mark.django_db(transaction=True)

FIND = "/admin/bookings/caller/"
BOOK = "/admin/bookings/appointments/new/"


def booking_form(**overrides: str) -> dict[str, str]:
    data = {
        "action": "book",
        "plan": "1:1",
        "date": future_day(),
        "slot": "09:00-11:00",
        "side": "buyer",
        "name": "Cara Buyer",
        "email": "cara@example.com",
        "phone": "0412 345 678",
        "car_make": "Toyota",
        "car_model": "Corolla",
        "car_year": "2015",
        "car_location": "12 Hay St, Perth",
        "notes": "Call on arrival",
    }
    data.update(overrides)
    return data


def appointments_of(user_id: str) -> list[Appointment]:
    return list(Appointment.created_user_index.query(user_id))


def created_emails() -> list[EmailMetadata]:
    return [m for m in EmailMetadata.scan() if m.email_type == "appointment_created"]  # test inspection only


def test_support_finds_the_caller_picks_a_free_time_and_books(support, customer_id, capacity):
    capacity(2)
    client = support.portal()
    found = client.get(FIND, {"q": "cara", "for": "appointment"}).content.decode()
    assert f'href="{BOOK}?customer={customer_id}"' in found
    assert "Order parts" not in found  # asked for an appointment

    page = client.get(BOOK, {"customer": customer_id})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="cara@example.com"' in html  # the caller's details are filled in
    assert f'name="pick_day" value="{future_day()}"' in html  # the next days with free times, as buttons
    picked = client.post(f"{BOOK}?customer={customer_id}", {"plan": "1:1", "pick_day": future_day(), "date": ""})
    assert picked.status_code == 200
    assert f'value="{future_day()}"' in picked.content.decode()
    assert 'value="09:00-11:00"' in picked.content.decode()
    # The API's availability of the chosen plan and day, the free times only.
    times = client.post(f"{BOOK}?customer={customer_id}", {"action": "slots", "plan": "1:2", "date": future_day()})
    html = times.content.decode()
    assert times.status_code == 200
    assert "errorlist" not in html
    assert 'value="09:00-12:00"' in html
    assert "09:00\u201312:00 (2 free)" in html
    assert 'value="18:00-21:00"' not in html  # a 3-hour plan ends by 20:00

    response = client.post(f"{BOOK}?customer={customer_id}", booking_form())
    assert response.status_code == 302
    (appointment,) = appointments_of(customer_id)
    assert response["Location"] == f"{BOOK}{appointment.appointment_id}/"
    assert (appointment.status, appointment.payment_status, appointment.price) == ("PENDING", "pending", Decimal(220))
    assert (appointment.buyer_name, appointment.buyer_email, appointment.buyer_phone) == (
        "Cara Buyer",
        "cara@example.com",
        "0412 345 678",
    )
    assert (appointment.car_make, appointment.car_year, appointment.car_location) == (
        "Toyota",
        "2015",
        "12 Hay St, Perth",
    )
    assert [(s.date, s.start, s.end, s.priority) for s in appointment.selected_slots] == [
        (future_day(), "09:00", "11:00", 1)
    ]
    assert [m.to_emails for m in created_emails()] == [{"cara@example.com"}]  # the API's confirmation email

    booked = client.get(response["Location"]).content.decode()
    assert "Pre Purchase Inspection: Standard" in booked
    assert "$220.00" in booked
    assert 'id="payments-link"' in booked  # support sees the payments page; an admin confirms there
    assert 'id="take-payment"' not in booked


def test_a_new_caller_is_added_once_and_taken_to_the_booking(make_staff, capacity):
    capacity(1)
    staff = make_staff("CUSTOMER_SUPPORT", "ADMIN", name="Sam Both")
    client = staff.portal()
    nobody = client.get(FIND, {"q": "nina@example.com"}).content.decode()
    assert "Nobody matches" in nobody
    assert 'value="nina@example.com"' in nobody
    new = {"name": "Nina New", "email": "Nina@Example.com", "phone": "+61 400 111 222", "next": "appointment"}
    response = client.post(FIND, new)
    assert response.status_code == 302
    (customer,) = list(Customer.list_index.query("CUSTOMER"))
    assert (customer.user_name, customer.user_email, customer.contact_number) == (
        "Nina New",
        "nina@example.com",
        "+61 400 111 222",
    )
    assert response["Location"] == f"{BOOK}?customer={customer.user_id}"
    again = client.post(FIND, new)
    assert again.status_code == 409
    assert "already exists" in again.content.decode()
    assert f"?customer={customer.user_id}" in again.content.decode()  # offered instead
    assert len(list(Customer.list_index.query("CUSTOMER"))) == 1

    booked = client.post(response["Location"], booking_form(name="Nina New", email="nina@example.com"), follow=True)
    take = re.search(r'id="take-payment" href="([^"]+)"', booked.content.decode())
    assert take is not None  # an admin-and-support member takes the payment on the spot
    (appointment,) = appointments_of(customer.user_id)
    assert take.group(1) == f"/admin/billing/payments/appointment/{appointment.appointment_id}/"


def test_bad_input_keeps_what_was_typed_and_writes_nothing(support, customer_id, capacity):
    capacity(1)
    client = support.portal()
    url = f"{BOOK}?customer={customer_id}"
    cases = [
        ({"email": "cara@example"}, "email", "Must be a valid email address."),
        ({"car_year": "1850"}, "car_year", "Must be between 1900 and"),
        ({"car_make": ""}, "car_make", "This field is required."),
        ({"other_email": "sam@example.com"}, "other_name", "Is required."),  # the seller's, half given
        ({"phone": "12"}, "phone", "Must be a valid phone number"),
        ({"plan": "6:1"}, "plan", "Select a valid choice"),  # an inactive plan is not offered
    ]
    for change, field, message in cases:
        response = client.post(url, booking_form(**change))
        html = response.content.decode()
        assert response.status_code == 400, (change, html[:2000])
        assert message in html, change
        errors = response.context["form"].errors
        assert list(errors) == [field], (change, errors)
        assert 'value="Corolla"' in html or change == {"car_make": ""}  # the input is kept
    assert appointments_of(customer_id) == []
    assert created_emails() == []


def test_a_time_that_is_no_longer_free_is_refused_with_the_form_kept(support, customer_id, capacity):
    capacity(1)
    client = support.portal()
    url = f"{BOOK}?customer={customer_id}"
    UnavailableSlot(date=future_day(), time_slots=[BlockedPeriod(start_time="09:00", end_time="12:00")]).save()
    response = client.post(url, booking_form(notes="Blue hatch"))
    html = response.content.decode()
    assert response.status_code == 409
    assert "That time is no longer free; choose another." in html
    assert "Blue hatch" in html
    assert 'value="09:00-11:00"' not in html
    assert 'value="12:00-14:00"' in html
    yesterday = client.post(url, booking_form(date=future_day(-1)))
    assert yesterday.status_code == 400
    assert "Choose a day from today to 62 days ahead." in yesterday.content.decode()
    assert appointments_of(customer_id) == []


def test_only_customer_support_books_for_a_caller(admin, clerk, mechanic, customer_id):
    for persona in (admin, clerk, mechanic):  # the API's rule: only customer support books for customers
        client = persona.portal()
        assert client.get(FIND).status_code == 403
        assert client.get(BOOK, {"customer": customer_id}).status_code == 403
        assert client.post(f"{BOOK}?customer={customer_id}", booking_form()).status_code == 403
    assert appointments_of(customer_id) == []
    assert Client().get(FIND).status_code == 302  # to the login


def test_an_unknown_caller_goes_back_to_the_caller_step(support):
    response = support.portal().get(BOOK, {"customer": "nobody"}, follow=True)
    assert response.redirect_chain == [(f"{FIND}?for=appointment", 302)]
    assert "Choose the caller first." in response.content.decode()


def test_the_list_links_to_booking_for_a_caller(support, clerk):
    assert 'id="caller-appointment"' in support.portal().get("/admin/bookings/appointments/").content.decode()
    assert 'id="caller-appointment"' not in clerk.portal().get("/admin/bookings/appointments/").content.decode()


def test_two_staff_racing_for_the_last_place_one_holds_it(make_staff, capacity):
    """Two support staff book the last free place for two callers at the same moment and take the
    payment on the spot. As on the website, an unpaid booking is a request that holds nothing, so
    both are booked; the place goes to one of them, atomically, when paid (reservations.py). The
    time is then no longer offered, and a third booking of it is refused with nothing written."""
    capacity(1)
    staff = [make_staff("CUSTOMER_SUPPORT", "ADMIN", name=f"Desk {n}") for n in range(2)]
    callers = [customer_register(user_name=f"Caller {n}", user_email=f"caller{n}@example.com") for n in range(3)]
    clients = [member.portal() for member in staff]

    def book(n: int) -> int:
        return clients[n].post(f"{BOOK}?customer={callers[n].user_id}", booking_form()).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(book, range(2))) == [302, 302]
    ids = [appointments_of(callers[n].user_id)[0].appointment_id for n in range(2)]

    def pay(n: int) -> int:
        url = f"/admin/billing/payments/appointment/{ids[n]}/"
        return clients[n].post(url, {"payment_method": "cash"}).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(pay, range(2))) == [302, 302]  # both payments are recorded: the money was taken
    stored = list(Appointment.batch_get(ids))
    assert sorted(a.payment_status for a in stored) == ["paid", "paid"]
    assert len([a for a in stored if a.held_slot is not None]) == 1  # one holds the place
    assert all(a.status == AppointmentStatus.PENDING for a in stored)

    third = clients[0].post(f"{BOOK}?customer={callers[2].user_id}", booking_form())
    assert third.status_code == 409
    assert "That time is no longer free; choose another." in third.content.decode()
    assert appointments_of(callers[2].user_id) == []


def test_a_double_tap_books_once(support, customer_id, capacity):
    capacity(2)
    client = support.portal()
    url = f"{BOOK}?customer={customer_id}"
    key = re.search(r'name="key" value="([0-9a-f]{32})"', client.get(url).content.decode())
    assert key is not None
    form = booking_form(key=key.group(1))
    with ThreadPoolExecutor(max_workers=2) as pool:  # two taps at once
        responses = list(pool.map(lambda _: client.post(url, form), range(2)))
    again = client.post(url, form)  # and the browser's retry later
    (appointment,) = appointments_of(customer_id)
    booked = f"{BOOK}{appointment.appointment_id}/"
    assert [r["Location"] for r in responses] == [booked, booked]  # the second tap waits for the first
    assert again["Location"] == booked
    assert len(created_emails()) == 1
