import io
import re

from django.test import Client

from bookings import selectors
from bookings.models import Appointment, ServicePrice, UnavailableSlot
from emails.suppression import suppression_add
from staffapp.templatetags.staff_format import day as day_text
from tests.bookings.conftest import future_day
from tests.bookings.test_reports import pdf_bytes


def test_appointment_list_with_filters_and_paging(book, support):
    ids = [book() for _ in range(3)]
    client = support.portal()
    page = client.get("/admin/bookings/appointments/?status=PENDING")
    assert page.status_code == 200
    html = page.content.decode()
    assert all(appointment_id[:8].upper() in html for appointment_id in ids)
    first = client.get("/admin/bookings/appointments/?cursor=").content.decode()
    assert "Toyota Corolla (2015)" in first
    assert client.get("/admin/bookings/appointments/?status=CANCELLED").content.decode().count("Toyota") == 0


def test_portal_pages_need_sign_in_and_permission(book, clerk, mechanic):
    assert Client().get("/admin/bookings/appointments/").status_code == 302
    assert clerk.portal().get("/admin/bookings/catalogue/").status_code == 403
    assert mechanic.portal().get("/admin/bookings/calendar/").status_code == 200
    assert mechanic.portal().post("/admin/bookings/calendar/", {}).status_code == 404  # blocking is not theirs
    other_job = book()
    assert mechanic.portal().get(f"/admin/bookings/appointments/{other_job}/").status_code == 404


def test_schedule_from_the_detail_page_and_status_buttons(book, support, mechanic, capacity):
    capacity(2)
    appointment_id = book()
    client = support.portal()
    detail = client.get(f"/admin/bookings/appointments/{appointment_id}/").content.decode()
    assert "Save schedule" in detail
    assert "Available (2 free)" in detail
    body = {"date": future_day(), "start": "09:00", "end": "11:00", "mechanic": mechanic.user_id, "version": 1}
    response = client.post(f"/admin/bookings/appointments/{appointment_id}/schedule/", body, follow=True)
    assert f"Scheduled for {day_text(future_day())}, 09:00\u201311:00 with " in response.content.decode()
    stored = Appointment.get(appointment_id)
    assert (stored.status, stored.assigned_mechanic_id) == ("SCHEDULED", mechanic.user_id)
    stale = client.post(f"/admin/bookings/appointments/{appointment_id}/schedule/", body, follow=True)
    assert "changed by someone else" in stale.content.decode()
    my_day = mechanic.portal().get(f"/admin/bookings/my-day/?date={future_day()}").content.decode()
    assert "09:00\u201311:00" in my_day
    ongoing = mechanic.portal().post(
        f"/admin/bookings/appointments/{appointment_id}/status/", {"status": "ONGOING", "version": 2}, follow=True
    )
    assert "Status set to Ongoing." in ongoing.content.decode()
    assert Appointment.get(appointment_id).status == "ONGOING"
    buttons = re.findall(
        r'class="button tap-button[^"]*" value="([^"]+)"',
        mechanic.portal().get(f"/admin/bookings/appointments/{appointment_id}/").content.decode(),
    )
    # The status buttons in the workflow's order, not the alphabet (after the customer card's "On my way").
    assert buttons == ["On my way", "Back to scheduled", "Mark completed"]


def test_report_upload_and_review_in_the_portal(book, support, mechanic, admin, capacity):
    capacity(2)
    appointment_id = book()
    client = support.portal()
    client.post(
        f"/admin/bookings/appointments/{appointment_id}/schedule/",
        {"date": future_day(), "start": "09:00", "end": "11:00", "mechanic": mechanic.user_id, "version": 1},
    )
    worker = mechanic.portal()
    worker.post(f"/admin/bookings/appointments/{appointment_id}/status/", {"status": "COMPLETED"})
    upload = io.BytesIO(pdf_bytes())
    upload.name = "Final report.pdf"
    response = worker.post(f"/admin/bookings/appointments/{appointment_id}/upload/", {"file": upload}, follow=True)
    assert "Report Final report.pdf uploaded" in response.content.decode()
    bad = io.BytesIO(b"hello")
    bad.name = "fake.pdf"
    assert (
        "Only PDF files and JPEG or PNG photos can be uploaded"
        in worker.post(
            f"/admin/bookings/appointments/{appointment_id}/upload/", {"file": bad}, follow=True
        ).content.decode()
    )
    key = Appointment.get(appointment_id).reports[0]["s3Key"]
    reviewed = admin.portal().post(
        f"/admin/bookings/appointments/{appointment_id}/review/", {"key": key, "action": "approve"}, follow=True
    )
    assert "Report approved." in reviewed.content.decode()
    assert Appointment.get(appointment_id).reports[0]["approved"] is True


def test_suppressed_address_warning(book, support):
    appointment_id = book()
    url = f"/admin/bookings/appointments/{appointment_id}/"
    assert 'id="suppressed-warning"' not in support.portal().get(url).content.decode()
    suppression_add(email="CARA@example.com", actor=support.identity)
    assert 'id="suppressed-warning"' in support.portal().get(url).content.decode()


def test_calendar_blocks_a_range_and_draws_jobs(book, support, capacity):
    capacity(2)
    appointment_id = book()
    client = support.portal()
    client.post(
        f"/admin/bookings/appointments/{appointment_id}/schedule/",
        {"date": future_day(), "start": "13:00", "end": "15:00", "version": 1},
    )
    response = client.post(
        "/admin/bookings/calendar/",
        {"start_date": future_day(1), "end_date": future_day(3), "start": "10:00", "end": "12:00", "action": "add"},
        follow=True,
    )
    assert (
        f"Blocked 10:00\u201312:00 on {day_text(future_day(1))} to {day_text(future_day(3))} (3 days)."
        in response.content.decode()
    )
    assert [p.start_time for p in UnavailableSlot.get(future_day(2)).time_slots] == ["10:00"]
    week = client.get(f"/admin/bookings/calendar/?week={future_day()}").content.decode()
    assert re.search(r'<strong>13:00\u201315:00</strong> <span class="cal-customer">Cara Buyer</span>', week)
    assert re.search(r'cal-box cal-job mech-none" style="grid-row: 12 / 16; grid-column: 1 / 61"', week)
    client.post(
        "/admin/bookings/calendar/", {"start_date": future_day(2), "start": "10:00", "end": "12:00", "action": "remove"}
    )
    assert UnavailableSlot.get(future_day(2)).time_slots == []


def test_slot_analyser_figures(support, admin, capacity):
    capacity(2)
    admin.api().post(
        "/api/unavailable-slots",
        {"date": future_day(), "operation": "set", "timeSlots": ["08:00-14:00"]},
        format="json",
    )
    html = support.portal().get(f"/admin/bookings/analyser/?date={future_day()}&plan=1:1").content.decode()
    assert re.search(r"<strong>6</strong>Maximum possible jobs", html)  # 14:00-20:00 fits 3 two-hour jobs x 2 mechanics
    assert re.search(r"<strong>0%</strong>Utilisation", html)
    assert selectors.day_analysis(future_day(), 120).counts["blocked"] == 12


def test_admin_edits_the_catalogue(admin):
    client = admin.portal()
    form = client.get("/admin/bookings/catalogue/?edit=1:1").content.decode()
    assert 'value="Standard"' in form
    body = {
        "service_id": 1,
        "plan_id": 1,
        "service_name": "Pre Purchase Inspection",
        "plan_name": "Standard",
        "price": "235.00",
        "duration_minutes": 150,
        "features": "Road test\nPhotos",
        "active": "on",
    }
    assert (
        "Saved Pre Purchase Inspection: Standard."
        in client.post("/admin/bookings/catalogue/", body, follow=True).content.decode()
    )
    plan = ServicePrice.get(1, 1)
    assert (plan.price, plan.duration_minutes, plan.features) == (235, 150, ["Road test", "Photos"])
    bad = client.post("/admin/bookings/catalogue/", {**body, "duration_minutes": 45}).content.decode()
    assert "multiple of 30" in bad
    assert ServicePrice.get(1, 1).duration_minutes == 150


def test_calendar_refuses_a_backwards_range_and_writes_nothing(support):
    body = {"start_date": future_day(3), "end_date": future_day(1), "start": "10:00", "end": "12:00", "action": "add"}
    response = support.portal().post("/admin/bookings/calendar/", body, follow=True)
    assert "Choose an end date on or after the start" in response.content.decode()
    assert list(UnavailableSlot.batch_get([future_day(1), future_day(2), future_day(3)])) == []


def _messages(response):
    return [str(message) for message in response.context["messages"]]


def test_portal_schedule_in_the_past_and_bad_review_are_refused_with_a_message(book, support, admin):
    appointment_id = book()
    client = support.portal()
    past = {"date": "2020-01-01", "start": "09:00", "end": "11:00", "mechanic": "", "version": 1}
    response = client.post(f"/admin/bookings/appointments/{appointment_id}/schedule/", past, follow=True)
    assert _messages(response) == ["scheduledTimeSlot cannot be in the past"]
    review = {"key": "reports/x.pdf", "action": "publish"}
    response = admin.portal().post(f"/admin/bookings/appointments/{appointment_id}/review/", review, follow=True)
    assert _messages(response) == ["Approve or reject a report; notes are at most 1000 characters."]
    bogus = client.post(f"/admin/bookings/appointments/{appointment_id}/status/", {"status": "LOST"}, follow=True)
    assert _messages(bogus) == ["Choose a status."]
    assert Appointment.get(appointment_id).version == 1


def test_cancelling_asks_on_a_page_first_and_only_the_confirmation_cancels(book, support, clerk):
    """The portal's CSP blocks inline scripts, so an onsubmit confirm() never ran and one click cancelled."""
    appointment_id = book()
    client = support.portal()
    detail = client.get(f"/admin/bookings/appointments/{appointment_id}/").content.decode()
    assert "confirm(" not in detail
    assert "onsubmit" not in detail
    confirm_url = f"/admin/bookings/appointments/{appointment_id}/cancel/"
    assert f'href="{confirm_url}"' in detail
    page = client.get(confirm_url)
    assert page.status_code == 200
    assert "Its slot is freed and the customer is emailed" in page.content.decode()
    assert 'name="status" value="CANCELLED"' in page.content.decode()
    assert Appointment.get(appointment_id).status == "PENDING"  # asking changes nothing
    assert clerk.portal().get(confirm_url).status_code == 403
    assert client.get("/admin/bookings/appointments/nope/cancel/").status_code == 404
    assert client.post(confirm_url, {"status": "CANCELLED", "version": 1}).status_code == 405
    done = client.post(
        f"/admin/bookings/appointments/{appointment_id}/status/", {"status": "CANCELLED", "version": 1}, follow=True
    )
    assert "Status set to Cancelled." in done.content.decode()
    assert Appointment.get(appointment_id).status == "CANCELLED"
