"""#19 done-when flows in a browser, on a desktop and a phone: support schedules a paid booking in one
pass (a clash included), and an admin blocks a period over booked jobs and is warned.

Steps are what the user does (each click, fill, select, or page opened by typing its URL); signing
in is not counted. The old scheduling flow took 7 steps, 15 when the first choice clashed."""

import pytest

from bookings.models import Appointment, UnavailableSlot
from staffapp.templatetags.staff_format import day as day_text
from tests.bookings.conftest import booking, future_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SCHEDULE_STEPS = 5  # open the list, open the booking, choose the mechanic, save (clash), take a suggested slot
BLOCK_STEPS = 5  # open the calendar on the day, choose start and end, apply, confirm


class Steps:
    def __init__(self, page):
        self.page, self.count = page, 0

    def goto(self, url):
        self.count += 1
        self.page.goto(url)

    def click(self, selector):
        self.count += 1
        self.page.click(selector)

    def select(self, selector, value):
        self.count += 1
        self.page.select_option(selector, value)


def _schedule(client, appointment_id, day, start, mechanic_id):
    body = {"date": day, "start": start, "end": "", "mechanic": mechanic_id, "version": 1}
    assert client.post(f"/admin/bookings/appointments/{appointment_id}/schedule/", body).status_code == 302
    assert Appointment.get(appointment_id).status == "SCHEDULED"


def _book(anon, user_id, day, name):
    slots = [{"date": day, "start": "09:00", "end": "11:00", "priority": 1}]
    buyer = {"name": name, "email": "cara@example.com", "phoneNumber": "+61 412 345 678"}
    data = booking(selectedSlots=slots, buyerData=buyer)
    response = anon.post("/api/appointments", {"userId": user_id, "appointmentData": data}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["appointmentId"]


@pytest.fixture
def booked(make_staff, admin, anon, customer_id, capacity):
    """Per viewport, on its own day: Ann's job at 09:00-11:00, and a paid booking whose first choice is
    the same time. Made before the browser starts (its event loop would stop the live events)."""
    capacity(3)
    support = make_staff("CUSTOMER_SUPPORT", name="Sue Support")
    ann, ben = make_staff("MECHANIC", name="Ann Mechanic"), make_staff("MECHANIC", name="Ben Mechanic")
    days, client = {}, support.portal()
    for offset, viewport in enumerate(VIEWPORTS):
        day = future_day(7 + offset)
        taken, paid = _book(anon, customer_id, day, "Tom Taken"), _book(anon, customer_id, day, f"Pat {viewport}")
        _schedule(client, taken, day, "09:00", ann.user_id)
        body = {"referenceNumber": paid, "type": "appointment", "paymentMethod": "cash", "revert": False}
        assert admin.api().post("/api/payments/confirm", body, format="json").status_code == 200
        days[viewport] = (day, taken, paid)
    return support, ann, ben, days


def _no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_support_schedules_a_paid_booking_in_one_pass_a_clash_included(booked, live_server, portal_login):
    support, ann, ben, days = booked
    page = portal_login(support)
    for viewport, size in VIEWPORTS.items():
        day, _, paid = days[viewport]
        page.set_viewport_size(size)
        steps = Steps(page)

        steps.goto(f"{live_server.url}/admin/bookings/appointments/")
        steps.click(f"text={paid[:8].upper()}")
        page.wait_for_selector("#free-busy")  # the customer's first choice is filled in: the day and 09:00
        assert page.input_value("#schedule-form input[name=date]") == day
        assert "09:00\u201311:00" in page.inner_text(f"#free-busy tr[data-mechanic='{ann.user_id}']")
        steps.select("#schedule-form select[name=mechanic]", ann.user_id)
        steps.click("#save-schedule")
        page.wait_for_selector("#suggestions")
        assert "The mechanic already has a job at that time" in page.inner_text("ul.messagelist")
        assert page.input_value("#schedule-form select[name=mechanic]") == ann.user_id  # the input is kept
        assert page.input_value("#schedule-form select[name=start]") == "09:00"
        first_offer = page.locator("#suggestions button").first
        assert first_offer.inner_text().endswith("09:00\u201311:00 with Ben Mechanic")
        assert first_offer.bounding_box()["height"] >= 44 or viewport == "desktop"
        steps.click("#suggestions button >> nth=0")
        page.wait_for_selector(f"text=Scheduled for {day_text(day)}, 09:00\u201311:00 with Ben Mechanic.")
        assert steps.count <= SCHEDULE_STEPS
        print(f"schedule a paid booking, clash included ({viewport}): {steps.count} steps")
        stored = Appointment.get(paid)
        assert (stored.status, stored.assigned_mechanic_id, stored.payment_status) == ("SCHEDULED", ben.user_id, "paid")

    # Another day shows that day's free/busy at once (schedule.js) and keeps the rest of the input.
    page.fill("#schedule-form input[name=date]", future_day(20))
    page.wait_for_url(f"**date={future_day(20)}**")
    assert page.input_value("#schedule-form select[name=mechanic]") == ben.user_id
    assert "Free all day" in page.inner_text(f"#free-busy tr[data-mechanic='{ann.user_id}']")


@pytest.fixture
def jobs(make_staff, anon, customer_id, capacity):
    """Per viewport, on its own day: a job of Ann's at 09:00-11:00 (made before the browser starts)."""
    capacity(3)
    support, ann = make_staff("CUSTOMER_SUPPORT"), make_staff("MECHANIC", name="Ann Mechanic")
    days, client = {}, support.portal()
    for offset, viewport in enumerate(VIEWPORTS):
        day = future_day(7 + offset)
        days[viewport] = (day, _book(anon, customer_id, day, f"Cara {viewport}"))
        _schedule(client, days[viewport][1], day, "09:00", ann.user_id)
    return days


def test_an_admin_blocks_a_period_over_booked_jobs_and_is_warned(jobs, admin, live_server, portal_login):
    page = portal_login(admin)
    for viewport, size in VIEWPORTS.items():
        day, job = jobs[viewport]
        page.set_viewport_size(size)
        steps = Steps(page)

        steps.goto(f"{live_server.url}/admin/bookings/calendar/?day={day}")
        assert page.input_value("#block-form input[name=start_date]") == day  # the "From" date shows
        assert page.locator("#legend", has_text="Ann Mechanic").is_visible()
        steps.select("#block-form select[name=start]", "10:00")
        steps.select("#block-form select[name=end]", "12:00")
        steps.click("#block-form input[type=submit]")
        page.wait_for_selector("#covered-jobs")
        warned = page.inner_text("#covered-jobs tbody")
        assert f"Cara {viewport}" in warned
        assert "09:00\u201311:00" in warned
        assert "Ann Mechanic" in warned
        assert UnavailableSlot.get_or_none(day) is None  # not written before confirming
        steps.click("#confirm-block")
        page.wait_for_selector(f"text=Blocked 10:00\u201312:00 on {day_text(day)}.")
        assert steps.count <= BLOCK_STEPS
        print(f"block a period over a booked job ({viewport}): {steps.count} steps")
        assert [(p.start_time, p.end_time) for p in UnavailableSlot.get(day).time_slots] == [("10:00", "12:00")]

        visible_days = page.locator(".cal-day:visible")
        assert visible_days.count() == (7 if viewport == "desktop" else 1)  # a phone shows one day
        assert _no_sideways_scroll(page)
        box = page.locator(f".cal-day[data-date='{day}'] a.cal-job")
        assert "Ann Mechanic" in box.inner_text()
        assert box.bounding_box()["height"] >= 44
        box.click()  # click-to-open
        page.wait_for_url(f"**/appointments/{job}/")
