import io
import json
from urllib.parse import urlparse

import pytest
from reportlab.pdfgen import canvas

from bookings.models import Appointment
from emails.models import EmailMetadata
from tests.bookings.conftest import future_day


def pdf_bytes(text="Inspection report"):
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


def completed_job(book, support, mechanic):
    appointment_id = book()
    support.api().patch(
        f"/api/appointments/{appointment_id}",
        {
            "scheduledTimeSlot": {"date": future_day(), "start": "09:00", "end": "11:00"},
            "assignedMechanicId": mechanic.user_id,
        },
        format="json",
    )
    assert (
        mechanic.api().patch(f"/api/appointments/{appointment_id}", {"status": "COMPLETED"}, format="json").status_code
        == 200
    )
    return appointment_id


def upload_link(persona, appointment_id, **overrides):
    body = {
        "uploadType": "report",
        "referenceId": appointment_id,
        "fileName": "../../etc/Report 1.pdf",
        "fileType": "application/pdf",
        "fileSize": 2048,
    }
    body.update(overrides)
    return persona.api().post("/api/upload-urls", body, format="json")


def put(client, url, data, content_type="application/pdf"):
    return client.put(urlparse(url).path, data=data, content_type=content_type)


@pytest.fixture
def capacity_two(capacity):
    capacity(2)


def test_upload_review_and_customer_sees_only_approved_reports(
    anon, book, support, mechanic, admin, customer_id, capacity_two
):
    appointment_id = completed_job(book, support, mechanic)
    first = upload_link(mechanic, appointment_id)
    assert first.status_code == 200, first.json()
    body = first.json()
    assert body["s3Key"].startswith(f"reports/{appointment_id}/")
    assert body["s3Key"].endswith("_Report_1.pdf")
    assert "/" not in body["s3Key"].removeprefix(f"reports/{appointment_id}/")
    assert (body["expiresIn"], body["instructions"]["method"], body["metadata"]["status"]) == (
        3600,
        "PUT",
        "pending_upload",
    )
    document = pdf_bytes()
    assert put(anon, body["uploadUrl"], document).status_code == 201
    second = upload_link(mechanic, appointment_id, fileName="notes.pdf").json()

    approve = {"reportApproval": {"reportS3Key": body["s3Key"], "action": "approve", "notes": "Looks good"}}
    assert admin.api().patch(f"/api/appointments/{appointment_id}", approve, format="json").status_code == 200
    again = admin.api().patch(f"/api/appointments/{appointment_id}", approve, format="json")
    assert again.json()["message"] == "Report has already been reviewed"

    reports = anon.get(f"/api/appointments/{appointment_id}?userId={customer_id}").json()["appointment"]["reports"]
    assert [r["s3Key"] for r in reports] == [body["s3Key"]]
    assert reports[0]["approved"] is True
    assert reports[0]["reviewedBy"] == admin.user_id
    downloaded = anon.get(urlparse(reports[0]["fileUrl"]).path)
    assert downloaded.status_code == 200
    assert b"".join(downloaded.streaming_content if downloaded.streaming else [downloaded.content]) == document

    staff_view = support.api().get(f"/api/appointments/{appointment_id}").json()["appointment"]["reports"]
    assert {r["s3Key"] for r in staff_view} == {body["s3Key"], second["s3Key"]}
    ready = [
        json.loads(m.context) for m in EmailMetadata.scan() if m.email_type == "report_ready"
    ]  # test inspection only
    assert [r["reportS3Key"] for r in ready] == [body["s3Key"]]


def test_approving_a_report_that_was_never_uploaded_is_refused(book, support, mechanic, admin, capacity_two):
    appointment_id = completed_job(book, support, mechanic)
    key = upload_link(mechanic, appointment_id).json()["s3Key"]
    response = admin.api().patch(
        f"/api/appointments/{appointment_id}",
        {"reportApproval": {"reportS3Key": key, "action": "approve"}},
        format="json",
    )
    assert response.status_code == 400
    assert "not been uploaded" in response.json()["message"]


def test_upload_link_checks_type_size_and_content(anon, book, support, mechanic, capacity_two):
    appointment_id = completed_job(book, support, mechanic)
    assert (
        upload_link(mechanic, appointment_id, fileType="image/png").json()["message"]
        == "Only PDF files are allowed for reports"
    )
    assert upload_link(mechanic, appointment_id, fileSize=11 * 1024 * 1024).status_code == 400
    assert upload_link(mechanic, appointment_id, referenceId="nope").status_code == 404
    assert upload_link(mechanic, appointment_id, uploadType="attachment").status_code == 400
    url = upload_link(mechanic, appointment_id).json()["uploadUrl"]
    assert put(anon, url, b"not a pdf").status_code == 400
    assert put(anon, url, pdf_bytes(), content_type="image/png").status_code == 400
    assert put(anon, url.replace("upload/", "upload/x"), pdf_bytes()).status_code == 400


def test_only_the_assigned_mechanic_uploads_and_customers_cannot(
    anon, book, support, mechanic, make_staff, capacity_two
):
    appointment_id = completed_job(book, support, mechanic)
    assert upload_link(make_staff("MECHANIC"), appointment_id).status_code == 403
    assert anon.post(
        "/api/upload-urls",
        {"uploadType": "report", "referenceId": appointment_id, "fileName": "a.pdf", "fileType": "pdf"},
        format="json",
    ).status_code in (401, 403)
    assert upload_link(make_staff("CLERK"), appointment_id).status_code == 200


def test_reports_and_post_notes_need_completed_and_keep_reviews(book, support, mechanic, admin, anon, capacity_two):
    appointment_id = completed_job(book, support, mechanic)
    link = upload_link(mechanic, appointment_id).json()
    put(anon, link["uploadUrl"], pdf_bytes())
    admin.api().patch(
        f"/api/appointments/{appointment_id}",
        {"reportApproval": {"reportS3Key": link["s3Key"], "action": "reject"}},
        format="json",
    )
    reports = [
        {
            "s3Key": link["s3Key"],
            "fileName": "Renamed.pdf",
            "uploadedBy": mechanic.user_id,
            "reportNotes": "brakes worn",
            "approved": True,
        }
    ]
    response = mechanic.api().patch(
        f"/api/appointments/{appointment_id}", {"reports": reports, "postNotes": "All done"}, format="json"
    )
    assert response.status_code == 200, response.json()
    stored = Appointment.get(appointment_id)
    assert stored.post_notes == "All done"
    assert (stored.reports[0]["fileName"], stored.reports[0]["reportNotes"], stored.reports[0]["approved"]) == (
        "Renamed.pdf",
        "brakes worn",
        False,
    )
    forged = [{"s3Key": "reports/other/evil.pdf", "fileName": "x.pdf", "uploadedBy": mechanic.user_id}]
    assert (
        mechanic.api().patch(f"/api/appointments/{appointment_id}", {"reports": forged}, format="json").status_code
        == 400
    )


def test_reports_before_completion_are_refused(book, support):
    appointment_id = book()
    response = support.api().patch(f"/api/appointments/{appointment_id}", {"postNotes": "early"}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "Cannot update reports when the appointment is PENDING"
    assert Appointment.get(appointment_id).post_notes == ""


def _staff_report(support, appointment_id, key):
    reports = support.api().get(f"/api/appointments/{appointment_id}").json()["appointment"]["reports"]
    return next(r for r in reports if r["s3Key"] == key)


def test_an_upload_link_works_once_and_marks_the_report_uploaded(anon, book, support, mechanic, capacity_two):
    """#20.9 and #13.6: the signed PUT consumes its link and the report leaves pending_upload."""
    appointment_id = completed_job(book, support, mechanic)
    link = upload_link(mechanic, appointment_id).json()
    assert _staff_report(support, appointment_id, link["s3Key"])["status"] == "pending_upload"
    assert put(anon, link["uploadUrl"], pdf_bytes("first")).status_code == 201
    assert _staff_report(support, appointment_id, link["s3Key"])["status"] == "uploaded"
    again = put(anon, link["uploadUrl"], pdf_bytes("second"))
    assert again.status_code == 409
    assert again.json() == {"success": False, "message": "This upload link has already been used; ask for a new one"}


def test_an_approved_report_cannot_be_replaced(anon, book, support, mechanic, admin, customer_id, capacity_two):
    appointment_id = completed_job(book, support, mechanic)
    link = upload_link(mechanic, appointment_id).json()
    original = pdf_bytes("approved text")
    assert put(anon, link["uploadUrl"], original).status_code == 201
    approve = {"reportApproval": {"reportS3Key": link["s3Key"], "action": "approve"}}
    assert admin.api().patch(f"/api/appointments/{appointment_id}", approve, format="json").status_code == 200
    assert put(anon, link["uploadUrl"], pdf_bytes("swapped")).status_code == 409
    reports = anon.get(f"/api/appointments/{appointment_id}?userId={customer_id}").json()["appointment"]["reports"]
    assert anon.get(urlparse(reports[0]["fileUrl"]).path).content == original


def test_two_puts_racing_on_one_link_store_one_file(book, support, mechanic, capacity_two):
    import threading

    from rest_framework.test import APIClient

    appointment_id = completed_job(book, support, mechanic)
    link = upload_link(mechanic, appointment_id).json()
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def upload(number: int) -> None:
        barrier.wait()
        statuses.append(put(APIClient(), link["uploadUrl"], pdf_bytes(f"copy {number}")).status_code)

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409, 409, 409]
    assert _staff_report(support, appointment_id, link["s3Key"])["status"] == "uploaded"
