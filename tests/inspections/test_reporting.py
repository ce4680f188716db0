from __future__ import annotations

import io
import json
import threading
from urllib.parse import urlparse

import pytest
from django.conf import settings as django_settings
from pypdf import PdfReader

from autolab import storage
from autolab.celery import app
from bookings import services as booking_services
from bookings.models import Appointment
from emails.models import EmailMetadata
from inspections import reporting, selectors, services, tasks
from inspections.models import Inspection
from inspections.services import InspectionChanges
from inspections.types import InspectionStatus, Rating, Verdict
from tests.inspections.test_filling import answer_everything, save, start
from tests.waiting import wait_until


def submit(persona, appointment_id, checklist) -> Inspection:
    """Fill the whole checklist (a fail and an attention among the passes), then submit."""
    inspection = start(persona, appointment_id).inspection
    answer_everything(persona, appointment_id, checklist)
    items = selectors.items_of(appointment_id)
    save(persona, appointment_id, "brakes-03", items["brakes-03"].version, rating=Rating.FAIL, text="Scored discs")
    save(persona, appointment_id, "body-04", items["body-04"].version, rating=Rating.ATTENTION)
    header = InspectionChanges(
        given=frozenset({"verdict", "summary", "odometer", "registration"}),
        verdict=Verdict.RECOMMENDED_WITH_REPAIRS,
        summary="Sound car; the front discs need replacing.",
        odometer=123456,
        registration="1abc234",
    )
    updated = services.inspection_update(
        actor=persona.identity, appointment_id=appointment_id, version=inspection.version, changes=header
    )
    return services.inspection_submit(actor=persona.identity, appointment_id=appointment_id, version=updated.version)


@pytest.fixture
def worker_down():
    """Tasks go to the broker and no worker takes them (a worker that is down)."""
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = True
        app.control.purge()


def generated_reports(appointment_id: str) -> list[dict]:
    return [r for r in Appointment.get(appointment_id).reports if r.get("generated")]


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def test_the_report_data_is_the_submitted_inspection_on_its_own_checklist(job, mechanic, checklist, worker_down):
    submit(mechanic, job, checklist)

    data = reporting.report_data(job)

    assert (data.verdict, data.summary) == (
        Verdict.RECOMMENDED_WITH_REPAIRS,
        "Sound car; the front discs need replacing.",
    )
    assert (data.mechanic_name, data.customer_name) == ("Max Mechanic", "Cara Buyer")
    assert data.vehicle.make == "Toyota"
    assert (data.vehicle.registration, data.vehicle.odometer_km) == ("1ABC234", 123456)
    assert [s.title for s in data.sections] == [s.title for s in checklist.sections]
    assert sum(len(s.items) for s in data.sections) == 83
    items = {item.label: item for section in data.sections for item in section.items}
    assert (items["Front discs (scoring, lip)"].rating, items["Front discs (scoring, lip)"].text) == (
        Rating.FAIL,
        "Scored discs",
    )
    photos = [photo for item in items.values() for photo in item.photos]
    assert photos
    assert all(photo.key.endswith("-thumb.jpg") and storage.exists(photo.key) for photo in photos)
    assert {(photo.width, photo.height) for photo in photos} == {(64, 48)}  # smaller than 400 px: as taken


def test_with_a_real_worker_the_submitted_inspections_pdf_is_listed_once(job, mechanic, checklist, celery_worker):
    submit(mechanic, job, checklist)

    wait_until(lambda: generated_reports(job), "the worker to list the report", timeout=60)
    (report,) = generated_reports(job)
    key = f"reports/{job}/inspection-1.pdf"
    assert (report["s3Key"], report["status"], report["reviewed"], report["uploadedBy"]) == (
        key,
        "uploaded",
        False,
        mechanic.user_id,
    )
    wait_until(lambda: Inspection.get(job).status == InspectionStatus.REPORTED, "the inspection to be reported")
    assert (Inspection.get(job).status, Inspection.get(job).report_key) == (InspectionStatus.REPORTED, key)
    text = pdf_text(storage.read(key))
    assert "Recommended with repairs" in text
    assert "FAIL Brakes Front discs (scoring, lip)" in text

    assert tasks.report_render_task.delay(job, 1).get(timeout=60) == key  # run again on the worker
    assert len(generated_reports(job)) == 1


def test_racing_runs_and_a_run_cut_short_still_give_one_report(job, mechanic, checklist, worker_down):
    submit(mechanic, job, checklist)
    assert generated_reports(job) == []  # queued; no worker has taken it
    key = reporting.report_key(job, 1)
    # A worker killed after storing and listing the PDF, before marking the inspection reported.
    storage.save(key, b"%PDF-1.4 cut short", "application/pdf")
    booking_services.report_generated_add(
        appointment_id=job, key=key, file_name="Inspection_report_1.pdf", file_size=18, generated_by=mechanic.user_id
    )
    barrier = threading.Barrier(3)
    results: list[str | None] = []

    def run() -> None:
        barrier.wait()
        results.append(reporting.report_publish(appointment_id=job, submission=1))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == [key, key, key]
    assert [r["s3Key"] for r in generated_reports(job)] == [key]
    assert (Inspection.get(job).status, Inspection.get(job).report_key) == (InspectionStatus.REPORTED, key)
    assert "Recommended with repairs" in pdf_text(storage.read(key))  # the redelivered run rendered it
    assert tasks.report_render_task.apply(args=(job, 1)).get() == key
    assert reporting.report_publish(appointment_id=job, submission=2) is None  # not a submission there is
    assert len(generated_reports(job)) == 1


def test_the_reconciler_requeues_a_report_whose_enqueue_was_lost(job, mechanic, checklist, worker_down, settings):
    submit(mechanic, job, checklist)
    settings.INSPECTION_REPORT_GRACE_SECONDS = 3600
    assert tasks.report_reconcile_task() == 0  # within the grace period: its task may still run

    settings.INSPECTION_REPORT_GRACE_SECONDS = 0
    app.conf.task_always_eager = True  # the re-queued task runs here
    assert tasks.report_reconcile_task() == 1

    assert len(generated_reports(job)) == 1
    assert Inspection.get(job).status == InspectionStatus.REPORTED
    assert tasks.report_reconcile_task() == 0


def test_once_approved_the_customer_and_the_email_link_get_the_pdf(job, mechanic, checklist, admin, anon):
    submit(mechanic, job, checklist)  # rendered at once: tasks run eagerly here
    (report,) = generated_reports(job)
    document = storage.read(report["s3Key"])
    customer = Appointment.get(job).created_user_id
    detail = f"/api/appointments/{job}?userId={customer}"
    assert anon.get(detail).json()["appointment"]["reports"] == []  # not before approval
    done = mechanic.api().patch(f"/api/appointments/{job}", {"status": "COMPLETED"}, format="json")
    assert done.status_code == 200, done.json()

    approve = {"reportApproval": {"reportS3Key": report["s3Key"], "action": "approve"}}
    assert admin.api().patch(f"/api/appointments/{job}", approve, format="json").status_code == 200

    (listed,) = anon.get(detail).json()["appointment"]["reports"]
    assert (listed["s3Key"], listed["approved"]) == (report["s3Key"], True)
    assert downloaded(anon, listed["fileUrl"]) == document
    ready = [json.loads(m.context) for m in EmailMetadata.scan() if m.email_type == "report_ready"]  # test only
    (email,) = ready
    assert email["reportUrl"].startswith(f"{django_settings.PUBLIC_BASE_URL}/api/files/")
    assert downloaded(anon, email["reportUrl"]) == document
    forged = email["reportUrl"][:-3] + ("aaa" if not email["reportUrl"].endswith("aaa") else "bbb")
    assert anon.get(urlparse(forged).path).status_code == 404  # a forged signature serves nothing


def downloaded(client, url: str) -> bytes:
    response = client.get(urlparse(url).path)
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content
