"""Report uploads with S3 storage: a presigned POST whose policy limits the size (#13.9)."""

from __future__ import annotations

import base64
import json

import pytest
import requests

from autolab import storage
from tests.bookings.test_reports import completed_job, pdf_bytes, upload_link


@pytest.fixture
def capacity_two(capacity):
    capacity(2)


def test_upload_urls_answers_a_presigned_post_limited_to_10_mb(s3, book, support, mechanic, capacity_two) -> None:
    appointment_id = completed_job(book, support, mechanic)
    response = upload_link(mechanic, appointment_id)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["instructions"]["method"] == "POST"
    assert body["uploadUrl"] == f"{s3.url}/autolab-files"
    fields = body["uploadFields"]
    assert (fields["key"], fields["Content-Type"]) == (body["s3Key"], "application/pdf")
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert ["content-length-range", 1, 10 * 1024 * 1024] in policy["conditions"]
    assert {"Content-Type": "application/pdf"} in policy["conditions"]
    assert {"key": body["s3Key"]} in policy["conditions"]

    document = pdf_bytes()
    upload = requests.post(body["uploadUrl"], data=fields, files={"file": ("report.pdf", document)}, timeout=10)
    assert upload.status_code == 204, upload.text
    assert storage.read(body["s3Key"]) == document
    assert s3.keys("autolab-files", "reports/") == [body["s3Key"]]


def test_a_signed_download_link_serves_the_uploaded_file(s3, book, support, mechanic, capacity_two) -> None:
    appointment_id = completed_job(book, support, mechanic)
    body = upload_link(mechanic, appointment_id).json()
    document = pdf_bytes("second")
    requests.post(body["uploadUrl"], data=body["uploadFields"], files={"file": ("r.pdf", document)}, timeout=10)
    fetched = requests.get(body["fileUrl"], timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == document
