"""The bookings fixtures the push tests book with (the catalogue, a customer, ``book``, ``capacity``)."""

from tests.bookings.conftest import book, capacity, catalogue, customer_id  # noqa: F401 (fixtures)
