"""What customers see of the staff and of other people's bookings (issue 20 item 15)."""

from __future__ import annotations

from tests.bookings.conftest import future_day


def _schedule(support, appointment_id: str, mechanic) -> None:
    response = support.api().patch(
        f"/api/appointments/{appointment_id}",
        {
            "scheduledTimeSlot": {"date": future_day(), "start": "09:00", "end": "11:00"},
            "assignedMechanicId": mechanic.user_id,
        },
        format="json",
    )
    assert response.status_code == 200


def test_a_customer_sees_only_the_name_of_their_mechanic(anon, book, customer_id, support, mechanic, settings):
    appointment_id = book()
    _schedule(support, appointment_id, mechanic)

    body = anon.get(f"/api/appointments/{appointment_id}?userId={customer_id}").json()

    # The website's fields stay; the contact details in them are the business's, not the mechanic's.
    assert body["assignedMechanic"] == {
        "userName": "Max Mechanic",
        "userEmail": settings.BUSINESS_EMAIL,
        "contactNumber": settings.BUSINESS_PHONE,
    }
    assert mechanic.email not in str(body)


def test_staff_still_see_the_mechanics_contact_details(book, support, mechanic, clerk):
    appointment_id = book()
    _schedule(support, appointment_id, mechanic)

    body = clerk.api().get(f"/api/appointments/{appointment_id}").json()

    assert body["assignedMechanic"] == {
        "userName": "Max Mechanic",
        "userEmail": mechanic.email,
        "contactNumber": "0451237048",
    }


def test_an_appointment_id_from_the_public_calendar_opens_nothing(
    anon, book, customer_id, other_customer_id, support, mechanic
):
    appointment_id = book()
    _schedule(support, appointment_id, mechanic)
    day = anon.get(f"/api/unavailable-slots?date={future_day()}").json()
    [listed] = [slot["appointmentId"] for slot in day["scheduledSlots"]]
    assert listed == appointment_id  # the website's field stays

    assert anon.get(f"/api/appointments/{listed}?userId={other_customer_id}").status_code == 404
    intent = anon.post(
        "/api/payments/stripe/intent",
        {"userId": other_customer_id, "referenceNumber": listed, "type": "appointment", "currency": "aud"},
        format="json",
    )
    assert intent.status_code == 404
