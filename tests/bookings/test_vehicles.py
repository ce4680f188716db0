"""Vehicles (#18.3): registration and VIN captured at booking, by a staff edit or on the job page;
each vehicle's page lists its history across customers; the search finds it by partial rego."""

from __future__ import annotations

from collections import Counter

import pytest

from autolab import search
from bench.harness import count_dynamodb_calls
from bookings.models import Appointment, Vehicle
from chat.services import customer_register
from tests.bookings.conftest import booking

VIN = "JTDBR32E720123456"


def _book(client, user_id, **car):
    data = booking(carData={"make": "Toyota", "model": "Corolla", "year": 2015, "location": "Perth", **car})
    return client.post("/api/appointments", {"userId": user_id, "appointmentData": data}, format="json")


def test_the_website_booking_without_rego_or_vin_is_unchanged(anon, customer_id):
    response = _book(anon, customer_id)
    assert response.status_code == 200, response.json()
    stored = Appointment.get(response.json()["appointmentId"])
    assert (stored.registration, stored.vin, stored.vehicle_key) == (None, None, None)
    assert not list(Vehicle.scan())


def test_a_booking_with_rego_and_vin_creates_the_vehicle_and_finds_it_by_partial_rego(anon, customer_id):
    response = _book(anon, customer_id, registration="1abc 234", vin=VIN.lower())
    assert response.status_code == 200, response.json()
    appointment_id = response.json()["appointmentId"]
    stored = Appointment.get(appointment_id)
    assert (stored.registration, stored.vin, stored.vehicle_key) == ("1ABC234", VIN, "1ABC234")
    vehicle = Vehicle.get("1ABC234")
    assert (vehicle.vin, vehicle.make, vehicle.model, vehicle.year) == (VIN, "Toyota", "Corolla", "2015")
    found = {(hit.kind, hit.record_id) for hit in search.search("1ABC")}
    assert found == {("vehicle", "1ABC234"), ("appointment", appointment_id)}
    assert {hit.record_id for hit in search.search(VIN[:9])} == {"1ABC234", appointment_id}


@pytest.mark.parametrize(
    ("car", "message"),
    [
        ({"registration": "TOOLONG12"}, "carData.registration must be 1 to 7 letters and digits"),
        ({"registration": "1AB#3"}, "carData.registration must be 1 to 7 letters and digits"),
        ({"vin": "JTDBR32E72012345"}, "carData.vin must be 17 letters and digits, without I, O or Q"),
        ({"vin": "JTDBR32E72012345O"}, "carData.vin must be 17 letters and digits, without I, O or Q"),
        ({"vin": 12345}, "carData.vin must be a string"),
    ],
)
def test_a_bad_rego_or_vin_is_a_400(anon, customer_id, car, message):
    response = _book(anon, customer_id, **car)
    assert response.status_code == 400
    assert response.json() == {"success": False, "message": message}
    assert not list(Appointment.scan())


def test_a_staff_edit_of_the_car_moves_the_appointment_to_the_new_rego(book, support):
    appointment_id = book(carData={"make": "Mazda", "model": "3", "year": 2018, "registration": "1XYZ999"})
    car = {"make": "Mazda", "model": "3", "year": 2018, "registration": "1QRS111"}
    response = support.api().patch(f"/api/appointments/{appointment_id}", {"carData": car}, format="json")
    assert response.status_code == 200, response.json()
    assert Appointment.get(appointment_id).vehicle_key == "1QRS111"
    assert {hit.kind for hit in search.search("1QRS")} == {"appointment", "vehicle"}
    assert [hit.kind for hit in search.search("1XYZ999")] == ["vehicle"]  # the old car; no longer this job
    # carData without registration keeps the stored one
    same = {"make": "Mazda", "model": "3", "year": 2019}
    assert (
        support.api().patch(f"/api/appointments/{appointment_id}", {"carData": same}, format="json").status_code == 200
    )
    assert Appointment.get(appointment_id).registration == "1QRS111"


def test_the_vehicle_page_lists_its_history_across_customers_and_its_notes(anon, support, mechanic):
    first = customer_register(user_name="Ann Seller", user_email="ann@example.com").user_id
    second = customer_register(user_name="Bo Buyer", user_email="bo@example.com").user_id
    older = _book(anon, first, registration="1ABC234").json()["appointmentId"]
    client = support.portal()
    newer = _book(anon, second).json()["appointmentId"]
    # recorded later, on the appointment's page
    saved = client.post(
        f"/admin/bookings/appointments/{newer}/vehicle/", {"registration": "1abc234", "vin": VIN}, follow=True
    )
    assert "Vehicle saved." in saved.content.decode()
    assert Appointment.get(newer).vehicle_key == "1ABC234"
    bad = client.post(f"/admin/bookings/appointments/{newer}/vehicle/", {"registration": "1ABC-2345678"}, follow=True)
    assert "Registration must be 1 to 7 letters and digits" in bad.content.decode()
    notes = client.post("/admin/bookings/vehicles/1ABC234/", {"notes": "Hail damage on the roof"}, follow=True)
    assert "Vehicle notes saved." in notes.content.decode()
    with count_dynamodb_calls() as calls:
        page = client.get("/admin/bookings/vehicles/1ABC234/")
    assert page.status_code == 200
    html = page.content.decode()
    history = html[html.index('id="vehicle-history"') :]
    assert newer[:8].upper() in history  # both customers' jobs
    assert older[:8].upper() in history
    assert "Hail damage on the roof" in html
    assert VIN in html
    assert "Cara Buyer" in html  # the booking's buyer, for both customers' bookings
    # The staff member and the vehicle (GetItem), its appointments, its inspections by VIN, its parts
    # orders, its audit trail and the header's two badges (inbox, inquiries) (Query); the catalogue
    # is cached.
    assert calls == Counter({"Query": 6, "GetItem": 2})
    assert f"No inspections of VIN {VIN} yet." in html
    assert client.get("/admin/bookings/vehicles/NOPE/").status_code == 404
    assert mechanic.portal().post("/admin/bookings/vehicles/1ABC234/", {"notes": "x"}).status_code == 302


def test_the_jobs_mechanic_records_the_rego_other_mechanics_may_not(book, admin, mechanic, make_staff):
    appointment_id = book()
    body = {"scheduledTimeSlot": {"date": booking()["selectedSlots"][0]["date"], "start": "09:00", "end": "11:00"}}
    support = make_staff("CUSTOMER_SUPPORT")
    scheduled = support.api().patch(
        f"/api/appointments/{appointment_id}", {**body, "assignedMechanicId": mechanic.user_id}, format="json"
    )
    assert scheduled.status_code == 200, scheduled.json()
    other = make_staff("MECHANIC")
    refused = other.portal().post(
        f"/admin/bookings/appointments/{appointment_id}/vehicle/", {"registration": "1AAA111"}
    )
    assert refused.status_code == 302  # back to the job with a refusal message
    assert Appointment.get(appointment_id).registration is None
    done = mechanic.portal().post(
        f"/admin/bookings/appointments/{appointment_id}/vehicle/", {"registration": "1AAA111"}, follow=True
    )
    assert "Vehicle saved." in done.content.decode()
    assert Appointment.get(appointment_id).registration == "1AAA111"


def test_recording_the_vehicle_costs_a_few_calls(book, support):
    appointment_id = book()
    client = support.portal()
    with count_dynamodb_calls() as calls:
        client.post(f"/admin/bookings/appointments/{appointment_id}/vehicle/", {"registration": "1ABC234"})
    # The staff member and the appointment (GetItem); the appointment's and the vehicle's update;
    # the audit entry (PutItem); then per record indexed (vehicle, appointment) its index document
    # (GetItem) and one transaction of its entries.
    assert calls == Counter({"GetItem": 4, "UpdateItem": 2, "TransactWriteItems": 2, "PutItem": 1})
    assert Counter(hit.kind for hit in search.search("1abc234")) == Counter({"vehicle": 1, "appointment": 1})


@pytest.mark.django_db(transaction=True)
def test_support_captures_rego_and_vin_when_booking_for_a_caller(support, customer_id, capacity):
    from tests.bookings.test_caller_portal import BOOK, booking_form

    capacity(1)
    client = support.portal()
    url = f"{BOOK}?customer={customer_id}"
    bad = client.post(url, booking_form(car_registration="1ABC23456"))
    assert bad.status_code == 400
    assert list(bad.context["form"].errors) == ["car_registration"]
    assert "Must be 1 to 7 letters and digits." in bad.content.decode()
    done = client.post(url, booking_form(car_registration="1abc 234", car_vin=VIN))
    assert done.status_code == 302, done.content.decode()[:500]
    (appointment,) = Appointment.created_user_index.query(customer_id)
    assert (appointment.registration, appointment.vin, appointment.vehicle_key) == ("1ABC234", VIN, "1ABC234")
    assert Vehicle.get("1ABC234").vin == VIN
