import json
from decimal import Decimal

import pytest

from autolab.domain_events import RecordCancelled
from bookings import reservations, selectors
from bookings.models import Appointment
from emails.models import EmailMetadata
from tests.bookings.conftest import future_day

DAY = None


def slot(start="09:00", end="11:00", days=7):
    return {"date": future_day(days), "start": start, "end": end}


def patch(persona, appointment_id, body):
    return persona.api().patch(f"/api/appointments/{appointment_id}", body, format="json")


def schedule(support, appointment_id, mechanic=None, **kwargs):
    body = {"scheduledTimeSlot": slot(**kwargs)}
    if mechanic is not None:
        body["assignedMechanicId"] = mechanic.user_id
    response = patch(support, appointment_id, body)
    assert response.status_code == 200, response.json()
    return response.json()["appointment"]


def load(date):
    return selectors.day_state(date)


def emails(email_type):
    return [json.loads(m.context) for m in EmailMetadata.scan() if m.email_type == email_type]  # test inspection only


# --- Field-group authorisation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "body", "status"),
    [
        (("CUSTOMER_SUPPORT",), {"notes": "gate code 12"}, 200),
        (("ADMIN",), {"notes": "gate code 12"}, 403),
        (("CLERK",), {"notes": "gate code 12"}, 403),
        (("MECHANIC",), {"notes": "gate code 12"}, 403),
        (("ADMIN",), {"scheduledTimeSlot": "SLOT"}, 403),
        (("CLERK",), {"assignedMechanicId": "MECH"}, 403),
        (("ADMIN",), {"status": "CANCELLED"}, 403),
        (("CLERK",), {"status": "CANCELLED"}, 403),
        (("CUSTOMER_SUPPORT",), {"status": "CANCELLED"}, 200),
        (("CUSTOMER_SUPPORT",), {"reportApproval": {"reportS3Key": "reports/x", "action": "approve"}}, 403),
        (("ADMIN",), {"postNotes": "done"}, 403),
    ],
)
def test_role_matrix_per_field_group(make_staff, book, mechanic, roles, body, status):
    appointment_id = book()
    body = {
        key: (slot() if value == "SLOT" else mechanic.user_id if value == "MECH" else value)
        for key, value in body.items()
    }
    before = Appointment.get(appointment_id)
    response = patch(make_staff(*roles), appointment_id, body)
    assert response.status_code == status, response.json()
    assert response.json()["message"]
    if status != 200:
        assert Appointment.get(appointment_id).version == before.version


def test_assigned_mechanic_sending_status_and_plan_gets_403_and_nothing_changes(book, support, mechanic):
    appointment_id = book()
    schedule(support, appointment_id, mechanic)
    before = Appointment.get(appointment_id)
    response = patch(mechanic, appointment_id, {"status": "ONGOING", "planId": 2, "notes": "cheaper please"})
    assert response.status_code == 403
    after = Appointment.get(appointment_id)
    assert (after.version, after.status, after.plan_id, after.price, after.notes) == (
        before.version,
        "SCHEDULED",
        1,
        Decimal("220"),
        before.notes,
    )


def test_unknown_fields_and_empty_bodies_are_400(book, support):
    appointment_id = book()
    assert patch(support, appointment_id, {}).status_code == 400
    assert patch(support, appointment_id, {"price": 1}).json()["message"] == "Unknown field: price"
    assert patch(support, "nope", {"notes": "x"}).status_code == 404
    assert Appointment.get(appointment_id).version == 1


def test_customers_cannot_patch(anon, book, customer_id):
    appointment_id = book()
    response = anon.patch(f"/api/appointments/{appointment_id}?userId={customer_id}", {"notes": "x"}, format="json")
    assert response.status_code in (401, 403)


# --- Basic info and prices --------------------------------------------------------------------


def test_plan_change_reprices_before_payment_and_sends_a_general_email(book, support):
    appointment_id = book()
    response = patch(support, appointment_id, {"planId": 2, "carData": {"make": "Mazda", "model": "3", "year": "2019"}})
    assert response.status_code == 200
    appointment = response.json()["appointment"]
    assert (appointment["planId"], appointment["price"], appointment["carMake"]) == (2, 280.5, "Mazda")
    updates = emails("appointment_updated")
    assert [u["update_type"] for u in updates] == ["general"]
    assert updates[0]["price"] == "280.5"


def test_plan_is_frozen_after_payment(book, support):
    appointment_id = book()
    Appointment.get(appointment_id).update(actions=[Appointment.payment_status.set("paid")])  # as billing would
    response = patch(support, appointment_id, {"planId": 2})
    assert response.status_code == 400
    assert response.json()["message"] == "Cannot update planId after payment is completed"
    assert Appointment.get(appointment_id).price == Decimal("220")


def test_switching_to_seller_needs_seller_data(book, support):
    appointment_id = book()
    assert patch(support, appointment_id, {"isBuyer": False}).json()["message"] == "sellerData is required"
    body = {"isBuyer": False, "sellerData": {"name": "Sam", "email": "sam@example.com", "phoneNumber": "0412345678"}}
    assert patch(support, appointment_id, body).json()["appointment"]["isBuyer"] is False


# --- Scheduling --------------------------------------------------------------------------------


def test_scheduling_reserves_and_rescheduling_moves_the_reservation(book, support, mechanic, capacity):
    capacity(2)
    appointment_id = book()
    appointment = schedule(support, appointment_id, mechanic)
    assert (appointment["status"], appointment["scheduledDate"], appointment["assignedMechanicId"]) == (
        "SCHEDULED",
        future_day(),
        mechanic.user_id,
    )
    assert load(future_day()).load == {"0900": 1, "0930": 1, "1000": 1, "1030": 1}
    assert selectors.mechanic_day_jobs(mechanic.user_id, future_day()) == {appointment_id}
    schedule(support, appointment_id, mechanic, start="13:00", end="15:00", days=8)
    assert set(load(future_day()).load.values()) == {0}
    assert load(future_day(8)).load == {"1300": 1, "1330": 1, "1400": 1, "1430": 1}
    assert selectors.mechanic_day_jobs(mechanic.user_id, future_day()) == set()
    assert [e["update_type"] for e in emails("appointment_updated")] == ["scheduling", "scheduling"]
    assert sorted(e["changes"][0] for e in emails("appointment_updated")) == [
        "Scheduling Update: Appointment rescheduled",
        "Scheduling Update: Appointment scheduled",
    ]


def test_capacity_is_never_exceeded(book, support, capacity):
    capacity(1)
    first, second = book(), book()
    schedule(support, first)
    response = patch(support, second, {"scheduledTimeSlot": slot("10:00", "12:00")})
    assert response.status_code == 409
    assert response.json()["message"] == "That time slot is fully booked"
    assert Appointment.get(second).status == "PENDING"
    assert patch(support, second, {"scheduledTimeSlot": slot("11:00", "13:00")}).status_code == 200  # half-open


def test_one_mechanic_is_never_double_booked(book, support, mechanic, capacity):
    capacity(5)
    first, second = book(), book()
    schedule(support, first, mechanic)
    response = patch(
        support, second, {"scheduledTimeSlot": slot("10:30", "12:30"), "assignedMechanicId": mechanic.user_id}
    )
    assert response.status_code == 409
    assert response.json()["message"] == "The mechanic already has a job at that time"
    assert Appointment.get(second).scheduled_time_slot is None
    assert load(future_day()).load.get("1100", 0) == 0  # the failed transaction left no trace


def test_blocked_slots_cannot_be_scheduled(book, support, admin):
    appointment_id = book()
    admin.api().post(
        "/api/unavailable-slots",
        {"date": future_day(), "operation": "add", "timeSlots": ["10:00-10:30"]},
        format="json",
    )
    response = patch(support, appointment_id, {"scheduledTimeSlot": slot()})
    assert response.status_code == 409  # ARCHITECTURE §5.8
    assert response.json()["message"] == f"{future_day()} 09:00-11:00 is blocked"
    assert Appointment.get(appointment_id).status == "PENDING"


def test_a_block_made_after_reading_the_day_makes_the_schedule_fail(book, admin, capacity):
    capacity(3)
    appointment = Appointment.get(book())
    seen = selectors.day_state(future_day())  # the scheduler's view: nothing blocked
    admin.api().post(
        "/api/unavailable-slots",
        {"date": future_day(), "operation": "add", "timeSlots": ["09:00-10:00"]},
        format="json",
    )
    placement = reservations.Placement(future_day(), reservations.Interval.parse("09:00", "11:00"), None, "SCHEDULED")
    with pytest.raises(reservations.Conflict, match="just blocked"):
        reservations.commit(
            appointment,
            [Appointment.status.set("SCHEDULED")],
            old=None,
            new=placement,
            capacity=3,
            block=reservations.BlockRead(future_day(), seen.block_version),
        )
    assert Appointment.get(appointment.appointment_id).status == "PENDING"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"date": "2030-01-01", "start": "09:15", "end": "10:15"}, "half hour"),
        ({"date": "2030-01-01", "start": "19:00", "end": "21:00"}, "business hours"),
        ({"date": "2020-01-01", "start": "09:00", "end": "10:00"}, "past"),
        ({"date": "01-01-2030", "start": "09:00", "end": "10:00"}, "YYYY-MM-DD"),
        ({"date": "2030-01-01", "start": "09:00"}, "scheduledTimeSlot.end is required"),
        ("tomorrow", "must be an object"),
    ],
)
def test_bad_schedules_are_400(book, support, value, message):
    appointment_id = book()
    response = patch(support, appointment_id, {"scheduledTimeSlot": value})
    assert response.status_code == 400
    assert message in response.json()["message"]
    assert Appointment.get(appointment_id).version == 1


def test_mechanic_must_be_a_mechanic_and_needs_a_slot(book, support, clerk, mechanic):
    appointment_id = book()
    assert (
        patch(support, appointment_id, {"assignedMechanicId": mechanic.user_id}).json()["message"]
        == "Schedule a time slot before assigning a mechanic"
    )
    response = patch(support, appointment_id, {"scheduledTimeSlot": slot(), "assignedMechanicId": clerk.user_id})
    assert response.json()["message"] == "Invalid mechanic ID"


def test_clearing_the_slot_unschedules_and_frees_it(book, support, mechanic, capacity):
    capacity(1)
    appointment_id = book()
    schedule(support, appointment_id, mechanic)
    appointment = patch(support, appointment_id, {"scheduledTimeSlot": None}).json()["appointment"]
    assert appointment["status"] == "PENDING"
    assert "scheduledTimeSlot" not in appointment
    assert "assignedMechanicId" not in appointment
    assert set(load(future_day()).load.values()) == {0}
    assert list(Appointment.scheduled_date_index.query(future_day())) == []


# --- Status -------------------------------------------------------------------------------------


def test_mechanic_moves_own_job_and_support_cancels(book, support, mechanic, make_staff, capacity):
    capacity(1)
    appointment_id = book()
    schedule(support, appointment_id, mechanic)
    other = make_staff("MECHANIC")
    assert patch(other, appointment_id, {"status": "ONGOING"}).status_code == 403
    assert patch(mechanic, appointment_id, {"status": "ONGOING"}).json()["appointment"]["status"] == "ONGOING"
    assert load(future_day()).jobs[appointment_id][1] == "ONGOING"
    assert patch(mechanic, appointment_id, {"status": "ONGOING"}).json()["message"] == "Invalid status transition"
    assert patch(mechanic, appointment_id, {"status": "CANCELLED"}).status_code == 400
    statuses = [e["status"] for e in emails("appointment_updated") if e["update_type"] == "status"]
    assert statuses == ["ONGOING"]
    cancelled = patch(support, appointment_id, {"status": "CANCELLED"}).json()["appointment"]
    assert cancelled["status"] == "CANCELLED"
    assert set(load(future_day()).load.values()) == {0}
    assert selectors.mechanic_day_jobs(mechanic.user_id, future_day()) == set()


def test_cancelling_publishes_the_event_after_the_write(book, support, subscribe_in_test):
    received = []

    def listen(event: RecordCancelled) -> None:
        received.append((event.record_type, event.record_id, Appointment.get(event.record_id).status))

    subscribe_in_test(RecordCancelled, listen)
    appointment_id = book()
    patch(support, appointment_id, {"status": "CANCELLED"})
    assert received == [("appointment", appointment_id, "CANCELLED")]


def test_support_transition_table(book, support):
    appointment_id = book()
    assert patch(support, appointment_id, {"status": "COMPLETED"}).json()["message"] == "Invalid status transition"
    assert patch(support, appointment_id, {"status": "CANCELLED"}).status_code == 200
    assert patch(support, appointment_id, {"status": "PENDING"}).status_code == 200
    assert patch(support, appointment_id, {"status": "BOGUS"}).status_code == 400


def test_cannot_schedule_and_cancel_at_once(book, support):
    appointment_id = book()
    response = patch(support, appointment_id, {"scheduledTimeSlot": slot(), "status": "CANCELLED"})
    assert response.status_code == 400
    assert Appointment.get(appointment_id).status == "PENDING"


# --- Optimistic locking -------------------------------------------------------------------------


def test_stale_version_is_409(book, support, make_staff):
    appointment_id = book()
    version = Appointment.get(appointment_id).version
    assert patch(support, appointment_id, {"notes": "first", "version": version}).status_code == 200
    other = make_staff("CUSTOMER_SUPPORT")
    response = patch(other, appointment_id, {"notes": "second", "version": version})
    assert response.status_code == 409
    assert Appointment.get(appointment_id).notes == "first"


@pytest.mark.parametrize(
    "body",
    [
        {"notes": 123},
        {"notes": "x" * 100_000},
        {"carData": "Toyota"},
        {"buyerData": 5},
        {"isBuyer": "no"},
        {"serviceId": "1"},
        {"planId": 99},
        {"version": "1", "notes": "x"},
        {"assignedMechanicId": 5},
        {"status": 5},
        {"scheduledTimeSlot": {"date": 20300101, "start": "09:00", "end": "10:00"}},
    ],
)
def test_bad_patch_values_are_400_and_change_nothing(book, support, body):
    appointment_id = book()
    response = patch(support, appointment_id, body)
    assert response.status_code == 400, response.json()
    assert response.json()["success"] is False
    assert response.json()["message"]
    stored = Appointment.get(appointment_id)
    assert (stored.version, stored.notes, stored.plan_id) == (1, "Please call first", 1)


def test_reports_group_and_approval_group_are_authorised_separately(book, support, mechanic, admin, capacity):
    capacity(1)
    appointment_id = book()
    schedule(support, appointment_id, mechanic)
    patch(mechanic, appointment_id, {"status": "COMPLETED"})
    body = {"postNotes": "done", "reportApproval": {"reportS3Key": "reports/x.pdf", "action": "approve"}}
    assert patch(mechanic, appointment_id, body).status_code == 403  # may write notes, may not approve
    assert patch(admin, appointment_id, body).status_code == 403  # may approve, may not write notes
    assert Appointment.get(appointment_id).post_notes == ""


def test_a_malformed_body_is_refused_before_the_appointment_is_read(support):
    response = patch(support, "no-such-appointment", {"notes": 5})
    assert response.status_code == 400
    assert response.json() == {"success": False, "message": "notes must be a string"}
