"""Report uploads with S3 storage (#13.9, #20.9): a presigned PUT signed with the PDF's type, its exact
size and ``If-None-Match: *``, so the link works once; customers are served a copy made at approval."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from bookings.models import Appointment
from emails.models import EmailMetadata
from tests.bookings.test_reports import completed_job, pdf_bytes, upload_link


@pytest.fixture
def capacity_two(capacity):
    capacity(2)


def _link(mechanic, appointment_id, document: bytes) -> dict:
    response = upload_link(mechanic, appointment_id, fileSize=len(document))
    assert response.status_code == 200, response.json()
    return response.json()


def _put(link: dict, document: bytes, headers: dict | None = None) -> requests.Response:
    sent = link["instructions"]["headers"] if headers is None else headers
    return requests.put(link["uploadUrl"], data=document, headers=sent, timeout=10)


def _approve(admin, appointment_id: str, key: str):
    approve = {"reportApproval": {"reportS3Key": key, "action": "approve"}}
    return admin.api().patch(f"/api/appointments/{appointment_id}", approve, format="json")


def test_upload_urls_answers_a_put_signed_with_type_size_and_if_none_match(
    s3, book, support, mechanic, capacity_two
) -> None:
    appointment_id = completed_job(book, support, mechanic)
    document = pdf_bytes()
    link = _link(mechanic, appointment_id, document)

    assert (link["instructions"]["method"], link["uploadFields"], link["expiresIn"]) == ("PUT", {}, 3600)
    assert link["instructions"]["headers"] == {"Content-Type": "application/pdf", "If-None-Match": "*"}
    url = urlparse(link["uploadUrl"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{s3.url}/autolab-files/{link['s3Key']}"
    query = parse_qs(url.query)
    # Signature V4 covers these headers: S3 refuses another type or length (403) and an existing key (412).
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-SignedHeaders"] == ["content-length;content-type;host;if-none-match"]
    assert query["X-Amz-Expires"] == ["3600"]

    assert _put(link, document).status_code == 200
    assert s3.client.get_object(Bucket="autolab-files", Key=link["s3Key"])["Body"].read() == document
    assert s3.keys("autolab-files", "reports/") == [link["s3Key"]]
    assert requests.get(link["fileUrl"], timeout=10).content == document


def test_a_second_upload_with_the_same_link_is_refused(s3, book, support, mechanic, capacity_two) -> None:
    appointment_id = completed_job(book, support, mechanic)
    first = pdf_bytes("first")
    link = _link(mechanic, appointment_id, first)
    assert _put(link, first).status_code == 200

    again = _put(link, pdf_bytes("other"))

    assert again.status_code == 412
    assert s3.client.get_object(Bucket="autolab-files", Key=link["s3Key"])["Body"].read() == first


def test_an_s3_link_needs_the_file_size_and_lists_nothing_without_it(s3, book, support, mechanic, capacity_two) -> None:
    appointment_id = completed_job(book, support, mechanic)

    body = {"uploadType": "report", "referenceId": appointment_id, "fileName": "r.pdf", "fileType": "pdf"}
    response = mechanic.api().post("/api/upload-urls", body, format="json")

    assert response.status_code == 400
    assert response.json()["message"] == (
        "The file's size in bytes (at most 10 MB) is required: an S3 upload link is bound to it"
    )
    assert upload_link(mechanic, appointment_id, fileSize=10 * 1024 * 1024 + 1).status_code == 400
    assert Appointment.get(appointment_id).reports in (None, [])


def test_after_approval_a_re_upload_does_not_change_what_customers_download(
    s3, anon, book, support, mechanic, admin, customer_id, capacity_two
) -> None:
    appointment_id = completed_job(book, support, mechanic)
    original = pdf_bytes("approved text")
    link = _link(mechanic, appointment_id, original)
    assert _put(link, original).status_code == 200
    assert _approve(admin, appointment_id, link["s3Key"]).status_code == 200

    swapped = pdf_bytes("swapped text!")  # the same length, so only the content differs
    assert len(swapped) == len(original)
    assert _put(link, swapped).status_code == 412
    # A store that ignores If-None-Match (moto does, as some S3-compatible servers do) takes the
    # overwrite; customers are served the copy made at approval, which no upload link targets.
    assert _put(link, swapped, headers={"Content-Type": "application/pdf"}).status_code == 200

    appointment = anon.get(f"/api/appointments/{appointment_id}?userId={customer_id}").json()["appointment"]
    [report] = appointment["reports"]
    assert report["s3Key"] == link["s3Key"]
    assert report["approvedKey"].startswith(f"reports/{appointment_id}/approved/")
    assert requests.get(report["fileUrl"], timeout=10).content == original
    [ready] = [json.loads(m.context) for m in EmailMetadata.scan() if m.email_type == "report_ready"]
    assert requests.get(ready["reportUrl"], timeout=10).content == original


def test_approving_a_report_never_uploaded_to_s3_is_refused(s3, book, support, mechanic, admin, capacity_two) -> None:
    appointment_id = completed_job(book, support, mechanic)
    link = _link(mechanic, appointment_id, pdf_bytes())

    response = _approve(admin, appointment_id, link["s3Key"])

    assert response.status_code == 400
    assert response.json()["message"] == "The report file has not been uploaded yet"
    assert Appointment.get(appointment_id).reports[0]["reviewed"] is False
    assert s3.keys("autolab-files") == []
