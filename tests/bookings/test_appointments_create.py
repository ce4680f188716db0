import json
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from bookings.models import Appointment
from emails.models import EmailMetadata
from tests.bookings.conftest import booking, future_day


def create(client, user_id, data):
    return client.post("/api/appointments", {"userId": user_id, "appointmentData": data}, format="json")


def count_appointments(user_id):
    return sum(1 for _ in Appointment.created_user_index.query(user_id))


def outbox(email_type):
    return [m for m in EmailMetadata.scan() if m.email_type == email_type]  # test inspection only


def test_customer_books_and_the_record_matches_the_original_shape(anon, customer_id):
    response = create(anon, customer_id, booking())
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "Appointment created successfully"
    stored = Appointment.get(body["appointmentId"])
    assert (stored.status, stored.payment_status, stored.price, stored.created_user_id) == (
        "PENDING",
        "pending",
        220,
        customer_id,
    )
    assert (stored.buyer_name, stored.buyer_phone, stored.seller_email) == ("Cara Buyer", "+61 412 345 678", "")
    assert (stored.car_make, stored.car_year, stored.car_location) == ("Toyota", "2015", "Perth")
    assert stored.selected_slots[0].as_dict() == {"date": future_day(), "start": "09:00", "end": "11:00", "priority": 1}


def test_price_comes_from_the_catalogue_and_client_price_is_ignored(anon, customer_id):
    appointment_id = create(anon, customer_id, booking(planId=2, price=1)).json()["appointmentId"]
    assert Appointment.get(appointment_id).price == Decimal("280.50")


def test_seller_booking_and_contact_number_is_kept(anon, customer_id):
    data = booking(
        isBuyer=False,
        buyerData=None,
        sellerData={"name": "Sam", "email": "sam@example.com", "contactNumber": "0412345678"},
    )
    appointment = Appointment.get(create(anon, customer_id, data).json()["appointmentId"])
    assert (appointment.is_buyer, appointment.seller_phone, appointment.buyer_name) == (False, "0412345678", "")


def test_creation_queues_the_email_and_tells_staff(anon, customer_id):
    appointment_id = create(anon, customer_id, booking()).json()["appointmentId"]
    emails = outbox("appointment_created")
    assert len(emails) == 1
    assert emails[0].to_emails == {"cara@example.com"}
    context = json.loads(emails[0].context)
    assert (context["appointmentId"], context["planName"], context["price"], context["status"]) == (
        appointment_id,
        "Standard",
        "220",
        "PENDING",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"serviceId": "1"}, "serviceId must be an integer"),
        ({"planId": True}, "planId must be an integer"),
        ({"serviceId": None}, "serviceId is required"),
        ({"isBuyer": "yes"}, "isBuyer must be true or false"),
        ({"buyerData": None}, "buyerData is required"),
        (
            {"buyerData": {"name": "A", "email": "not-an-email", "phoneNumber": "0412345678"}},
            "buyerData.email must be a valid email address",
        ),
        ({"buyerData": {"name": "A", "email": "a@b.co", "phoneNumber": "12"}}, "buyerData.phoneNumber"),
        (
            {"buyerData": {"name": "x" * 100_000, "email": "a@b.co", "phoneNumber": "0412345678"}},
            "buyerData.name must be between 1 and 100",
        ),
        ({"carData": {"make": "Toyota", "model": "Corolla", "year": 1899}}, "carData.year must be between 1900 and"),
        ({"carData": {"make": "Toyota", "model": "Corolla", "year": "abcd"}}, "carData.year must be a number"),
        ({"carData": {"make": "", "model": "Corolla", "year": 2000}}, "carData.make is required"),
        ({"carData": "Toyota"}, "carData must be an object"),
        ({"notes": "n" * 100_000}, "notes must be between"),
        ({"selectedSlots": []}, "At least one selected time slot is required"),
        ({"selectedSlots": "tomorrow"}, "selectedSlots must be an array"),
        ({"selectedSlots": [{"date": "2030-02-30", "start": "09:00", "end": "10:00"}]}, "YYYY-MM-DD"),
        ({"selectedSlots": [{"date": "FUTURE", "start": "07:00", "end": "09:00"}]}, "business hours"),
        ({"selectedSlots": [{"date": "FUTURE", "start": "19:00", "end": "21:00"}]}, "business hours"),
        ({"selectedSlots": [{"date": "FUTURE", "start": "9am", "end": "10am"}]}, "HH:MM"),
        (
            {
                "selectedSlots": [
                    {"date": "FUTURE", "start": "09:00", "end": "11:00", "priority": 1},
                    {"date": "FUTURE", "start": "10:00", "end": "12:00", "priority": 2},
                ]
            },
            "overlap",
        ),
        (
            {"selectedSlots": [{"date": "FUTURE", "start": f"{h}:00", "end": f"{h}:30"} for h in range(10, 15)]},
            "up to 4",
        ),
        (
            {"selectedSlots": [{"date": "2020-01-01", "start": "09:00", "end": "10:00", "priority": 1}]},
            "at least 2 hours from now",
        ),
        (
            {"selectedSlots": [{"date": "FUTURE", "start": "09:00", "end": "10:00"}]},
            "selectedSlots[0] must contain priority",
        ),
        (
            {"selectedSlots": [{"date": "FUTURE", "start": "09:00", "end": "10:00", "priority": "1"}]},
            "selectedSlots[0].priority must be an integer",
        ),
        ({"serviceId": 1, "planId": 99}, "Invalid service or plan"),
        ({"serviceId": 6, "planId": 1}, "Invalid service or plan"),
    ],
)
def test_bad_bookings_are_400_with_a_message_and_nothing_written(anon, customer_id, change, message):
    data = booking(**change)
    for slot in data.get("selectedSlots") or []:
        if isinstance(slot, dict) and slot.get("date") == "FUTURE":
            slot["date"] = future_day()
    response = create(anon, customer_id, data)
    assert response.status_code == 400, response.json()
    assert message in response.json()["message"]
    assert count_appointments(customer_id) == 0


def test_touching_preferred_slots_are_fine(anon, customer_id):
    slots = [
        {"date": future_day(), "start": "09:00", "end": "10:00", "priority": 1},
        {"date": future_day(), "start": "10:00", "end": "11:00", "priority": 2},
    ]
    assert create(anon, customer_id, booking(selectedSlots=slots)).status_code == 200


def test_a_blocked_preferred_slot_is_refused(anon, customer_id, admin):
    admin.api().post(
        "/api/unavailable-slots",
        {"date": future_day(), "operation": "add", "timeSlots": ["10:30-11:30"]},
        format="json",
    )
    response = create(anon, customer_id, booking())
    assert response.status_code == 400
    assert "unavailable" in response.json()["message"]


def test_missing_or_unknown_customer(anon):
    assert create(anon, None, booking()).status_code == 400
    response = create(anon, "2b1f0c0e-0000-4000-8000-000000000000", booking())
    assert response.status_code == 404
    assert "No user record found" in response.json()["message"]
    assert (
        anon.post("/api/appointments", {"userId": ["x"], "appointmentData": booking()}, format="json").status_code
        == 400
    )
    assert anon.post("/api/appointments", ["not", "an", "object"], format="json").status_code == 400


def test_daily_limit_of_three_unpaid(anon, customer_id):
    for _ in range(3):
        assert create(anon, customer_id, booking()).status_code == 200
    response = create(anon, customer_id, booking())
    assert response.status_code == 429
    assert response.json()["message"] == "Appointments limit (3) reached for today"
    assert count_appointments(customer_id) == 3


def test_paid_appointments_do_not_count_towards_the_limit(anon, customer_id):
    ids = [create(anon, customer_id, booking()).json()["appointmentId"] for _ in range(3)]
    Appointment.get(ids[0]).update(actions=[Appointment.payment_status.set("paid")])  # as billing would
    assert create(anon, customer_id, booking()).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_bookings_at_the_limit_leave_at_most_three_unpaid(customer_id):
    def attempt(_):
        return create(APIClient(), customer_id, booking()).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(attempt, range(10)))
    assert statuses.count(200) == 3, statuses
    assert set(statuses) == {200, 429}
    assert count_appointments(customer_id) == 3


def test_support_books_for_a_customer_without_the_limit(support, customer_id):
    client = support.api()
    for _ in range(4):
        assert create(client, customer_id, booking(selectedSlots=[])).status_code == 200
    assert count_appointments(customer_id) == 4


def test_support_walk_in_is_recorded_as_the_staff_member(support):
    response = create(support.api(), None, booking(selectedSlots=[]))
    assert Appointment.get(response.json()["appointmentId"]).created_user_id == support.user_id


@pytest.mark.parametrize("role", ["ADMIN", "MECHANIC", "CLERK"])
def test_other_staff_cannot_book(make_staff, customer_id, role):
    response = create(make_staff(role).api(), customer_id, booking())
    assert response.status_code == 403
    assert count_appointments(customer_id) == 0


def test_support_booking_with_a_staff_id_or_unknown_id(support, mechanic):
    client = support.api()
    response = create(client, mechanic.user_id, booking(selectedSlots=[]))
    assert Appointment.get(response.json()["appointmentId"]).created_user_id == support.user_id
    assert create(client, "4c8e1a52-0000-4000-8000-000000000000", booking()).status_code == 404


def test_missing_fields_are_named_before_bad_values_and_the_first_bad_value_wins(anon, customer_id):
    data = booking(serviceId="abc")
    del data["carData"]
    assert create(anon, customer_id, data).json()["message"] == "carData is required"
    data = booking(planId="x", carData={"make": "", "model": "M", "year": "abcd"})
    assert create(anon, customer_id, data).json()["message"] == "planId must be an integer"
    data = booking(carData={"make": "", "model": "M", "year": "abcd"})
    assert create(anon, customer_id, data).json()["message"] == "carData.make is required"


@pytest.mark.parametrize("role", ["ADMIN", "CLERK"])
def test_staff_who_may_not_book_are_refused_before_the_body_is_read(make_staff, role):
    response = make_staff(role).api().post("/api/appointments", {"appointmentData": "nonsense"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"success": False, "message": "Only customer support can book appointments for customers"}
