"""The reports awaiting review page (ADMIN): each appointment with a report nobody has reviewed,
oldest first, linking to the appointment's reports where approve and reject are."""

from __future__ import annotations

import pytest

from bookings import services as booking_services
from bookings.models import Appointment

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def completed(mechanic, appointment_id: str) -> None:
    for status in ("ONGOING", "COMPLETED"):
        response = mechanic.api().patch(f"/api/appointments/{appointment_id}", {"status": status}, format="json")
        assert response.status_code == 200, response.json()


@pytest.mark.django_db
def test_the_queue_lists_unreviewed_reports_and_links_to_the_appointment(admin, mechanic, make_job) -> None:
    first, second = make_job(), make_job()
    for appointment_id, name in ((first, "first.pdf"), (second, "second.pdf")):
        completed(mechanic, appointment_id)
        booking_services.report_attach(actor=mechanic.identity, appointment_id=appointment_id, file_name=name, data=PDF)
    page = admin.portal().get("/admin/inspections/review/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index(f'data-appointment-id="{first}"') < html.index(f'data-appointment-id="{second}"')
    assert f'href="/admin/bookings/appointments/{first}/#reports"' in html
    assert "first.pdf" in html

    key = Appointment.get(first).reports[0]["s3Key"]
    approve = {"reportApproval": {"reportS3Key": key, "action": "approve"}}
    assert admin.api().patch(f"/api/appointments/{first}", approve, format="json").status_code == 200
    html = admin.portal().get("/admin/inspections/review/").content.decode()
    assert f'data-appointment-id="{first}"' not in html
    assert f'data-appointment-id="{second}"' in html


@pytest.mark.django_db
def test_only_admins_see_the_review_queue(support, mechanic, clerk) -> None:
    for persona in (support, mechanic, clerk):
        assert persona.portal().get("/admin/inspections/review/").status_code == 403
