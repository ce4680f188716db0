"""#18.3: a registration and VIN read off the car in the inspection become the appointment's, so the
car's page and the staff search know it."""

from __future__ import annotations

from autolab import audit
from bookings.models import Appointment, Vehicle
from tests.inspections.test_inspection_api import url


def test_the_vin_and_rego_recorded_in_the_inspection_name_the_appointments_car(job, mechanic, admin) -> None:
    client = mechanic.api()
    assert client.post(url(job)).status_code == 201
    body = {"version": 1, "registration": "1abc 234", "vin": "JTDBR32E720123456"}
    changed = client.patch(url(job), body, format="json")
    assert changed.status_code == 200, changed.json()

    appointment = Appointment.get(job)
    assert (appointment.registration, appointment.vin, appointment.vehicle_key) == (
        "1ABC234",
        "JTDBR32E720123456",
        "1ABC234",
    )
    assert Vehicle.get("1ABC234").vin == "JTDBR32E720123456"
    found = admin.api().get("/api/search", {"q": "1abc2"}).json()["results"]
    assert ("vehicle", "1ABC234") in {(row["kind"], row["id"]) for row in found}
    # An edit of something else leaves the car as it is: no second vehicle write.
    assert client.patch(url(job), {"version": 2, "summary": "Tidy car"}, format="json").status_code == 200
    actions = [entry.action for entry in audit.history("appointment", job).entries]
    assert actions.count("appointment.vehicle") == 1
