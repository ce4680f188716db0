import pytest

from bookings.models import Appointment, UnavailableSlot
from staffapp.templatetags.staff_format import day as day_text
from tests.bookings.conftest import future_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_support_schedules_an_appointment_and_blocks_a_period(live_server, portal_login, make_staff, book, capacity):
    capacity(2)
    support, mechanic = make_staff("CUSTOMER_SUPPORT", name="Sue Support"), make_staff("MECHANIC", name="Max Mechanic")
    appointment_id = book()
    page = portal_login(support)

    page.goto(f"{live_server.url}/admin/bookings/appointments/")
    page.click(f"text={appointment_id[:8].upper()}")
    page.wait_for_selector("#schedule-form")
    page.fill("#schedule-form input[name=date]", future_day())
    page.select_option("#schedule-form select[name=start]", "13:00")
    page.select_option("#schedule-form select[name=end]", "15:00")
    page.select_option("#schedule-form select[name=mechanic]", mechanic.user_id)
    page.click("#schedule-form input[type=submit]")
    page.wait_for_selector(f"text=Scheduled for {day_text(future_day())}, 13:00\u201315:00 with Max Mechanic.")
    assert page.inner_text("#status") == "Scheduled"
    assert page.inner_text("#mechanic") == "Max Mechanic"
    assert Appointment.get(appointment_id).assigned_mechanic_id == mechanic.user_id

    page.goto(f"{live_server.url}/admin/bookings/calendar/?week={future_day()}")
    assert page.locator(".cal-job", has_text="13:00\u201315:00 Cara Buyer").count() == 1
    page.fill("#block-form input[name=start_date]", future_day())
    page.fill("#block-form input[name=end_date]", future_day(8))
    page.select_option("#block-form select[name=start]", "09:00")
    page.select_option("#block-form select[name=end]", "10:30")
    page.select_option("#block-form select[name=action]", "add")
    page.click("#block-form input[type=submit]")
    page.wait_for_selector(
        f"text=Blocked 09:00\u201310:30 on {day_text(future_day())} to {day_text(future_day(8))} (2 days)."
    )
    assert page.locator(".cal-block", has_text="Blocked 09:00\u201310:30").count() >= 1
    assert [(p.start_time, p.end_time) for p in UnavailableSlot.get(future_day(8)).time_slots] == [("09:00", "10:30")]

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{live_server.url}/admin/bookings/appointments/{appointment_id}/")
    assert page.locator("#status-actions input[type=submit]").first.is_visible()
