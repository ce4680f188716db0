"""Audit trail of appointment writes: every staff change leaves one entry (who, what, before -> after),
shown on the appointment page as its History; a customer's own booking leaves none."""

from autolab import audit
from tests.bookings.conftest import booking, future_day
from tests.bookings.test_reports import completed_job, pdf_bytes, put, upload_link


def latest(appointment_id):
    return audit.history("appointment", appointment_id).entries[0]


def patch(persona, appointment_id, body):
    response = persona.api().patch(f"/api/appointments/{appointment_id}", body, format="json")
    assert response.status_code == 200, response.json()
    return response


def test_customer_booking_writes_no_entry_and_a_staff_booking_one(book, support, customer_id):
    assert audit.history("appointment", book()).entries == []
    body = {"userId": customer_id, "appointmentData": booking()}
    appointment_id = support.api().post("/api/appointments", body, format="json").json()["appointmentId"]
    created = latest(appointment_id)
    assert (created.actor_id, created.action) == (support.user_id, "appointment.create")
    assert created.changed["status"] == [None, "PENDING"]
    assert created.changed["price"] == [None, 220]


def test_scheduling_and_assignment_are_one_entry_with_before_and_after(book, support, mechanic):
    appointment_id = book()
    slot = {"date": future_day(), "start": "09:00", "end": "11:00"}
    patch(support, appointment_id, {"scheduledTimeSlot": slot, "assignedMechanicId": mechanic.user_id})
    entry = latest(appointment_id)
    assert (entry.actor_id, entry.actor_name, entry.action) == (
        support.user_id,
        "Sue Support",
        "appointment.schedule+assign",
    )
    assert entry.changed["assignedMechanicId"] == [None, mechanic.user_id]
    assert entry.changed["status"] == ["PENDING", "SCHEDULED"]
    assert entry.changed["scheduledDate"] == [None, future_day()]
    assert "updatedAt" not in entry.changed
    assert "version" not in entry.changed


def test_status_notes_plan_and_cancel_each_leave_an_entry(book, support):
    appointment_id = book()
    patch(support, appointment_id, {"notes": "gate code 12"})
    assert latest(appointment_id).action == "appointment.notes"
    assert latest(appointment_id).changed["notes"] == ["Please call first", "gate code 12"]
    patch(support, appointment_id, {"planId": 2})
    plan = latest(appointment_id)
    assert plan.action == "appointment.details"
    assert plan.changed["planId"] == [1, 2]
    assert plan.changed["price"] == [220, "280.5"]  # exact: whole numbers as int, others as text, never float
    patch(support, appointment_id, {"status": "CANCELLED"})
    cancel = latest(appointment_id)
    assert (cancel.action, cancel.changed["status"]) == ("appointment.status", ["PENDING", "CANCELLED"])
    assert len(audit.history("appointment", appointment_id).entries) == 3


def test_report_upload_approval_and_post_notes(book, support, mechanic, admin, anon, capacity):
    capacity(2)
    appointment_id = completed_job(book, support, mechanic)
    assert latest(appointment_id).changed["status"] == ["SCHEDULED", "COMPLETED"]
    link = upload_link(mechanic, appointment_id).json()
    upload = latest(appointment_id)
    assert (upload.actor_id, upload.action) == (mechanic.user_id, "appointment.report_upload")
    assert list(upload.changed) == ["reports"]
    assert upload.changed["reports"][0] is None
    assert upload.changed["reports"][1].endswith(".pdf")
    assert put(anon, link["uploadUrl"], pdf_bytes()).status_code == 201
    approve = {"reportApproval": {"reportS3Key": link["s3Key"], "action": "approve", "notes": "Looks good"}}
    patch(admin, appointment_id, approve)
    review = latest(appointment_id)
    assert (review.actor_id, review.action) == (admin.user_id, "appointment.report_review")
    assert "reports" in review.changed
    patch(mechanic, appointment_id, {"postNotes": "Brakes worn"})
    notes = latest(appointment_id)
    assert (notes.action, notes.changed["postNotes"]) == ("appointment.notes", ["", "Brakes worn"])


def test_history_section_on_the_appointment_page(book, support):
    appointment_id = book()
    patch(support, appointment_id, {"notes": "side gate"})
    client = support.portal()
    page = client.get(f"/admin/bookings/appointments/{appointment_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    history = html[html.index('id="audit-history"') :]
    assert "Sue Support" in history
    assert "appointment.notes" in history
    assert "Please call first" in history
    assert "side gate" in history
    index = client.get("/admin/").content.decode()
    assert "appointment.notes" in index[index.index("recent-actions-module") :]


def test_a_plan_save_is_audited_with_what_it_changed(admin):
    from decimal import Decimal

    from bookings.catalogue import service_plan_save

    plan = {"service_id": 1, "plan_id": 1, "service_name": "Pre Purchase Inspection", "plan_name": "Standard"}
    service_plan_save(
        **plan, price=Decimal("230"), duration_minutes=150, features=["Road test"], active=True, actor=admin.identity
    )
    entry = audit.history("service_plan", "1:1").entries[0]
    assert (entry.actor_id, entry.action) == (admin.user_id, "service_plan.save")
    assert entry.changed == {"durationMinutes": [120, 150], "price": ["220", "230"]}


def test_blocking_and_unblocking_time_is_audited_per_day(admin):
    from tests.bookings.conftest import future_day

    day = future_day()
    for operation in ("add", "add", "remove"):  # the second add blocks nothing new: no entry
        body = {"date": day, "operation": operation, "timeSlots": ["12:00-13:00"]}
        assert admin.api().post("/api/unavailable-slots", body, format="json").status_code == 200
    removed, added = audit.history("unavailable_slots", day).entries
    assert (added.actor_id, added.action, added.changed) == (
        admin.user_id,
        "slots.add",
        {"timeSlots": [[], ["12:00-13:00"]]},
    )
    assert (removed.action, removed.changed) == ("slots.remove", {"timeSlots": [["12:00-13:00"], []]})
