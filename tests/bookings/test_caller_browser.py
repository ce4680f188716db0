"""#19 "support books for a caller", in a browser on a desk and on a 390 px phone, steps counted.

A step is what the user does: a click, a fill, a select, or a page opened by typing its URL.
"""

from __future__ import annotations

import pytest

from bookings.models import Appointment
from chat.models import Customer
from tests.bookings.conftest import future_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The most steps each flow may take (the report quotes them).
EXISTING_CALLER_STEPS = 15  # 13 to book (the list page included), 2 to take the payment
NEW_CALLER_STEPS = 13  # 11 to add the caller and book (the list page included), 2 to take the payment


class Steps:
    def __init__(self, page) -> None:
        self.page, self.count = page, 0

    def goto(self, url: str) -> None:
        self.count += 1
        self.page.goto(url)

    def click(self, selector: str) -> None:
        self.count += 1
        self.page.click(selector)

    def fill(self, selector: str, value: str) -> None:
        self.count += 1
        self.page.fill(selector, value)

    def select(self, selector: str, value: str) -> None:
        self.count += 1
        self.page.select_option(selector, value)


def _tap_targets_are_big_enough(page) -> None:
    """On the phone: no sideways scrolling, and the controls of the flow are at least 44 px high."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for selector in ("#booking-form input[type=text]", ".slot-choice", "#book", "#days button"):
        box = page.locator(selector).first.bounding_box()
        assert box is not None, selector
        assert box["height"] >= 44, (selector, box)


def _take_payment(steps: Steps, page) -> None:
    steps.click("#take-payment")
    steps.click("#confirm-payment")  # cash is preselected
    page.wait_for_selector("#payment-summary")


def test_support_books_for_a_caller(live_server, portal_login, make_staff, capacity, customer_id):
    """At a desk: an existing caller, another plan, a day a week ahead, paid on the spot. Then on a
    phone: a new caller, the first free time of the first plan, paid on the spot."""
    capacity(2)
    support = make_staff("CUSTOMER_SUPPORT", "ADMIN", name="Sue Support")  # an admin too: takes the payment
    page = portal_login(support)

    steps = Steps(page)
    steps.goto(f"{live_server.url}/admin/bookings/appointments/")
    steps.click("#caller-appointment")
    steps.fill("#id_q", "cara")
    steps.click("#caller-search input[type=submit]")
    steps.click("#caller-results a:has-text('Book appointment')")
    page.wait_for_load_state()  # caller.js listens for the plan's change once the page has loaded
    with page.expect_navigation():  # caller.js shows the plan's free times at once
        steps.select("#id_plan", "1:2")
    with page.expect_navigation():
        steps.click(f"#days button[value='{future_day()}']")
    steps.click("label[for=id_slot_2]")  # 09:00-12:00 (08:00, 08:30, 09:00, ...)
    steps.fill("#id_phone", "0412 345 678")  # the website customer gave no phone number
    steps.fill("#id_car_make", "Mazda")
    steps.fill("#id_car_model", "3")
    steps.fill("#id_car_year", "2019")
    steps.click("#book")
    page.wait_for_selector("#booked")
    assert "09:00\u201312:00" in page.inner_text("#booked-slot")
    assert page.inner_text("#booked-price") == "$280.50"
    _take_payment(steps, page)
    assert steps.count <= EXISTING_CALLER_STEPS, steps.count
    (appointment,) = Appointment.created_user_index.query(customer_id)
    assert (appointment.plan_id, appointment.car_make, appointment.buyer_email) == (2, "Mazda", "cara@example.com")
    assert Appointment.get(appointment.appointment_id).payment_status == "paid"

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    steps = Steps(page)
    steps.goto(f"{live_server.url}/admin/bookings/appointments/")
    steps.click("#caller-appointment")
    steps.fill("#id_name", "Pat Phone")
    steps.fill("#id_email", "pat@example.com")
    steps.fill("#id_phone", "0400 123 456")
    steps.click("#new-caller button[value=appointment]")
    page.wait_for_selector("#booking-form")
    _tap_targets_are_big_enough(page)
    steps.click("label[for=id_slot_0]")
    steps.fill("#id_car_make", "Kia")
    steps.fill("#id_car_model", "Rio")
    steps.fill("#id_car_year", "2021")
    steps.click("#book")
    page.wait_for_selector("#booked")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _take_payment(steps, page)
    assert steps.count <= NEW_CALLER_STEPS, steps.count
    (customer,) = [c for c in Customer.list_index.query("CUSTOMER") if c.user_email == "pat@example.com"]
    (appointment,) = Appointment.created_user_index.query(customer.user_id)
    assert (appointment.buyer_name, appointment.car_model) == ("Pat Phone", "Rio")
    assert Appointment.get(appointment.appointment_id).payment_status == "paid"
