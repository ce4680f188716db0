"""A mechanic runs a job in the browser: start → notes → report → complete, at a desk and on a
390 px phone, counting the steps (each click, fill, file choice or typed URL is one)."""

import pytest

from bookings.models import Appointment
from tests.bookings.conftest import future_day
from tests.bookings.test_reports import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STEPS = 8  # my day, open the job, start, type notes, save, choose the file, upload, complete
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _scheduled_job(book, support, mechanic, start, end):
    appointment_id = book(carData={"make": "Mazda", "model": "3", "year": 2019, "location": "12 Rokeby Rd, Subiaco"})
    response = support.api().patch(
        f"/api/appointments/{appointment_id}",
        {
            "scheduledTimeSlot": {"date": future_day(), "start": start, "end": end},
            "assignedMechanicId": mechanic.user_id,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    return appointment_id


def _run_job(page, base_url, appointment_id, *, phone):
    steps = 0

    def step(action, *args, **kwargs):
        nonlocal steps
        steps += 1
        return action(*args, **kwargs)

    step(page.goto, f"{base_url}/admin/bookings/my-day/?date={future_day()}")
    job_link = page.locator(f'a.job-link[href$="/{appointment_id}/"]')
    if phone:
        assert job_link.bounding_box()["height"] >= 44
    step(job_link.click)
    page.wait_for_selector("#status-actions")
    if phone:
        for selector in ("#call-link", "#map-link", "#status-actions input[type=submit]"):
            box = page.locator(selector).first.bounding_box()
            assert box["height"] >= 44, selector
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    assert page.get_attribute("#call-link", "href") == "tel:+61412345678"
    assert page.get_attribute("#map-link", "href").startswith(
        "https://www.google.com/maps/search/?api=1&query=12+Rokeby"
    )

    step(page.click, "#status-actions input[value='Start job']")
    page.wait_for_selector("text=Status set to Ongoing.")
    step(page.fill, "#notes-form textarea", "Brakes worn, front left tyre low")
    step(page.click, "#notes-form input[type=submit]")
    page.wait_for_selector("text=Post-inspection notes saved.")
    file = {"name": "Inspection.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    step(page.set_input_files, "#upload-form input[type=file]", files=[file])
    step(page.click, "#upload-form input[type=submit]")
    page.wait_for_selector("text=Report Inspection.pdf uploaded")
    step(page.click, "#status-actions input[value='Mark completed']")
    page.wait_for_selector("text=Status set to Completed.")
    assert page.inner_text("#status") == "Completed"
    return steps


def test_a_mechanic_runs_a_job_start_notes_report_complete(
    live_server, portal_login, book, support, mechanic, capacity
):
    capacity(2)
    at_desk = _scheduled_job(book, support, mechanic, "09:00", "11:00")
    on_phone = _scheduled_job(book, support, mechanic, "13:00", "15:00")
    page = portal_login(mechanic)

    for appointment_id, viewport in ((at_desk, DESKTOP), (on_phone, PHONE)):
        page.set_viewport_size(viewport)
        steps = _run_job(page, live_server.url, appointment_id, phone=viewport is PHONE)
        assert steps <= STEPS
        stored = Appointment.get(appointment_id)
        assert (stored.status, stored.post_notes) == ("COMPLETED", "Brakes worn, front left tyre low")
        assert [(r["fileName"], r["status"]) for r in stored.reports] == [("Inspection.pdf", "uploaded")]
