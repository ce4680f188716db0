"""The mechanic's job page in job order (#19 deliverable 5): notes at any point of the job, status
buttons as the job's steps, PDF and photo uploads only, tap-to-call and a map link; my day's jobs
as big links."""

import io
import re
from urllib.parse import quote_plus

import pytest

from autolab import storage
from bookings.models import Appointment
from tests.bookings.conftest import future_day
from tests.bookings.test_reports import pdf_bytes

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def job(book, support, mechanic, capacity):
    """A job scheduled for ``mechanic`` a week ahead, at a customer with a phone and an address."""
    capacity(2)
    appointment_id = book(
        carData={"make": "Mazda", "model": "3", "year": 2019, "location": "12 Rokeby Rd, Subiaco WA 6008"}
    )
    body = {"date": future_day(), "start": "09:00", "end": "11:00", "mechanic": mechanic.user_id, "version": 1}
    support.portal().post(f"/admin/bookings/appointments/{appointment_id}/schedule/", body)
    assert Appointment.get(appointment_id).status == "SCHEDULED"
    return appointment_id


def detail(client, appointment_id):
    return client.get(f"/admin/bookings/appointments/{appointment_id}/").content.decode()


def upload(client, appointment_id, name, data):
    file = io.BytesIO(data)
    file.name = name
    return client.post(f"/admin/bookings/appointments/{appointment_id}/upload/", {"file": file}, follow=True)


def test_the_mechanic_writes_notes_before_completing_and_after(job, mechanic):
    worker = mechanic.portal()
    page = detail(worker, job)
    assert 'id="notes-form"' in page  # SCHEDULED: the form is there before the job starts
    saved = worker.post(
        f"/admin/bookings/appointments/{job}/notes/", {"post_notes": "Arrived, car on driveway", "version": 2}
    )
    assert saved.status_code == 302
    assert Appointment.get(job).post_notes == "Arrived, car on driveway"
    worker.post(f"/admin/bookings/appointments/{job}/status/", {"status": "ONGOING", "version": 3})
    worker.post(f"/admin/bookings/appointments/{job}/notes/", {"post_notes": "Brakes worn", "version": 4})
    stored = Appointment.get(job)
    assert (stored.status, stored.post_notes) == ("ONGOING", "Brakes worn")
    done = worker.post(
        f"/admin/bookings/appointments/{job}/status/", {"status": "COMPLETED", "version": 5}, follow=True
    )
    assert "Status set to Completed." in done.content.decode()
    assert Appointment.get(job).post_notes == "Brakes worn"  # completing keeps what was written


def test_notes_stay_refused_before_scheduling_and_on_the_api(book, mechanic, support, job):
    pending = book()
    refused = support.portal().post(
        f"/admin/bookings/appointments/{pending}/notes/", {"post_notes": "early", "version": 1}, follow=True
    )
    assert "Cannot update post-inspection notes when the appointment is PENDING" in refused.content.decode()
    assert Appointment.get(pending).post_notes == ""
    api = mechanic.api().patch(f"/api/appointments/{job}", {"postNotes": "via API"}, format="json")
    assert api.status_code == 400  # the API keeps the original contract: notes once COMPLETED
    assert api.json()["message"] == "Cannot update reports when the appointment is SCHEDULED"
    stale = mechanic.portal().post(
        f"/admin/bookings/appointments/{job}/notes/", {"post_notes": "old page", "version": 1}, follow=True
    )
    assert "changed by someone else" in stale.content.decode()
    assert Appointment.get(job).post_notes == ""


def test_my_day_links_and_the_job_page_in_job_order_with_call_and_map_links(job, mechanic):
    worker = mechanic.portal()
    page = worker.get(f"/admin/bookings/my-day/?date={future_day()}").content.decode()
    link = re.search(r'<a class="job-link" href="/admin/bookings/appointments/' + job + r'/">(.*?)</a>', page, re.S)
    assert link is not None
    text = " ".join(re.sub(r"<[^>]+>", " ", link.group(1)).split())
    assert text == "09:00\u201311:00 Cara Buyer 12 Rokeby Rd, Subiaco WA 6008 Mazda 3 (2019) Scheduled"
    buttons = re.findall(
        r'<input type="submit" class="button tap-button( default)?" value="([^"]+)"', detail(worker, job)
    )
    # The customer's card has the "on my way" text first (tests/bookings/test_on_my_way.py).
    assert buttons == [(" default", "On my way"), (" default", "Start job"), (" default", "Mark completed")]
    worker.post(f"/admin/bookings/appointments/{job}/status/", {"status": "ONGOING", "version": 2})
    buttons = re.findall(
        r'<input type="submit" class="button tap-button( default)?" value="([^"]+)"', detail(worker, job)
    )
    assert buttons == [(" default", "On my way"), ("", "Back to scheduled"), (" default", "Mark completed")]
    page = detail(worker, job)
    assert "ONGOING" not in re.sub(r'value="ONGOING"|name="status" value="\w+"', "", page)  # labels, not enums
    assert 'class="badge status-ongoing" id="status">Ongoing<' in page
    assert 'href="tel:+61412345678"' in page
    assert "Call +61 412 345 678" in page
    maps = "https://www.google.com/maps/search/?api=1&amp;query=" + quote_plus("12 Rokeby Rd, Subiaco WA 6008")
    assert f'href="{maps}"' in page
    assert 'accept=".pdf,image/jpeg,image/png"' in page


def test_only_a_pdf_or_a_photo_is_stored_anything_else_is_refused_with_a_message(job, mechanic):
    worker = mechanic.portal()
    by_name = upload(worker, job, "notes.txt", b"plain text")
    assert "Choose a PDF file or a JPEG or PNG photo, at most 10 MB." in by_name.content.decode()
    by_content = upload(worker, job, "report.pdf", b"MZ\x90\x00 not a pdf at all")
    assert "Only PDF files and JPEG or PNG photos can be uploaded" in by_content.content.decode()
    assert Appointment.get(job).reports == []
    assert list(storage.keys(f"reports/{job}/")) == []
    assert "Report Inspection.pdf uploaded" in upload(worker, job, "Inspection.pdf", pdf_bytes()).content.decode()
    assert "Report Dent.png uploaded" in upload(worker, job, "Dent.png", PNG).content.decode()
    reports = Appointment.get(job).reports
    assert [(r["fileName"], r["fileType"], r["status"]) for r in reports] == [
        ("Inspection.pdf", "application/pdf", "uploaded"),
        ("Dent.png", "image/png", "uploaded"),
    ]
    assert storage.read(reports[1]["s3Key"]) == PNG
