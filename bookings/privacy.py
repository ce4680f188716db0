"""Anonymising a customer's appointments (Australian Privacy Principle 11.2).

Names, emails, phones, the car's address and free-text notes of both parties are replaced with
the placeholders of ``autolab.privacy``; the appointment itself, its dates, prices, payment fields
and invoice link stay, so the tax invoice it points to still matches. Safe to run again: an
appointment already anonymised is not written twice.
"""

from __future__ import annotations

from pynamodb.expressions.update import Action

from autolab import privacy, search
from autolab.privacy import ANONYMISED_EMAIL, ANONYMISED_NAME, ANONYMISED_PHONE, REMOVED
from bookings import listing, searching, selectors
from bookings.models import Appointment

_PLACEHOLDERS = {
    "buyer_name": ANONYMISED_NAME,
    "buyer_email": ANONYMISED_EMAIL,
    "buyer_phone": ANONYMISED_PHONE,
    "seller_name": ANONYMISED_NAME,
    "seller_email": ANONYMISED_EMAIL,
    "seller_phone": ANONYMISED_PHONE,
    "car_location": REMOVED,
    "notes": REMOVED,
    "post_notes": REMOVED,
}


# The stored names of what is personal, as audit entries name them (autolab.audit.history_redact).
PERSONAL_FIELDS = frozenset(getattr(Appointment, name).attr_name for name in _PLACEHOLDERS) | {"searchText"}


def appointments_anonymise(user_id: str) -> int:
    """Anonymise every appointment of ``user_id``; the number written (0 once all are done)."""
    written = 0
    for appointment in selectors.appointments_of_customer(user_id):
        label = f"Appointment {appointment.appointment_id}"
        written += privacy.anonymise_record(appointment, _actions, _reread, label=label)
        # Its search entries lose the name, email and phone too (read again: a retry may have
        # anonymised a fresher copy; a rerun repairs entries an earlier run left behind).
        search.reindex(searching.APPOINTMENT, appointment.appointment_id)
    return written


def _reread(appointment: Appointment) -> Appointment | None:
    return selectors.appointment_get(appointment.appointment_id)


def _actions(appointment: Appointment) -> list[Action]:
    actions = privacy.placeholder_actions(appointment, _PLACEHOLDERS)
    text = listing.search_text(appointment.appointment_id, [(ANONYMISED_NAME, None, None)])
    if actions or (appointment.search_text is not None and appointment.search_text != text):
        actions.append(Appointment.search_text.set(text))
    return actions
