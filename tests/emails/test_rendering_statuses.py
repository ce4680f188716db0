"""emails/rendering names the bookings and shop statuses by value (it may not import those apps);
these keep its copies equal to the enums."""

from bookings.models import AppointmentStatus
from emails import rendering
from shop.models import OrderStatus


def test_finished_statuses_are_the_closed_appointment_and_order_statuses() -> None:
    closed = {AppointmentStatus.COMPLETED, AppointmentStatus.CANCELLED, OrderStatus.DELIVERED, OrderStatus.CANCELLED}
    assert closed == rendering.FINISHED_STATUSES


def test_status_labels_name_real_statuses() -> None:
    assert set(rendering.STATUS_LABELS) <= set(AppointmentStatus) | set(OrderStatus)
