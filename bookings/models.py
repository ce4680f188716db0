"""Bookings: the service catalogue, blocked periods and appointments."""

from enum import StrEnum
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from autolab.dynamodb import (
    BaseMeta,
    DecimalAttribute,
    DynamoModel,
    IntegerAttribute,
    StringListAttribute,
    table_name,
)
from autolab.workflow import PaymentStatus


class AppointmentStatus(StrEnum):
    """``status`` of an appointment, as stored and sent."""

    PENDING = "PENDING"
    SCHEDULED = "SCHEDULED"
    ONGOING = "ONGOING"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


CATALOGUE_PARTITION = "services"  # the catalogue-index key every plan carries


class ServiceCatalogueIndex(GlobalSecondaryIndex):
    """Addition: the whole catalogue in one Query (every plan carries ``catalogue="services"``)."""

    class Meta:
        index_name = "catalogue-index"
        projection = AllProjection()

    catalogue = UnicodeAttribute(hash_key=True, attr_name="catalogue")


class ServicePrice(DynamoModel):
    """One plan of one service, e.g. (1, 2) Comprehensive Pre Purchase Inspection."""

    logical_name = "ServicePrices"

    class Meta(BaseMeta):
        table_name = table_name("ServicePrices")

    service_id = IntegerAttribute(hash_key=True, attr_name="serviceId")
    plan_id = IntegerAttribute(range_key=True, attr_name="planId")
    service_name = UnicodeAttribute(attr_name="serviceName")
    plan_name = UnicodeAttribute(attr_name="planName")
    price = DecimalAttribute(attr_name="price")
    active = BooleanAttribute(attr_name="active", default=True)
    # Additions: slot length for availability, and what the website lists for the plan.
    duration_minutes = IntegerAttribute(attr_name="durationMinutes", default=60)
    features = StringListAttribute(attr_name="features", default=list)
    catalogue = UnicodeAttribute(attr_name="catalogue", default=CATALOGUE_PARTITION)
    updated_at = IntegerAttribute(attr_name="updatedAt", null=True)

    catalogue_index = ServiceCatalogueIndex()


class BlockedPeriod(MapAttribute):
    start_time = UnicodeAttribute(attr_name="startTime")
    end_time = UnicodeAttribute(attr_name="endTime")


class UnavailableSlot(DynamoModel):
    """The periods an admin blocked on one business day."""

    logical_name = "UnavailableSlots"

    class Meta(BaseMeta):
        table_name = table_name("UnavailableSlots")

    date = UnicodeAttribute(hash_key=True, attr_name="date")
    time_slots = ListAttribute(of=BlockedPeriod, attr_name="timeSlots", default=list)
    updated_by = UnicodeAttribute(attr_name="updatedBy", null=True)
    updated_at = IntegerAttribute(attr_name="updatedAt", null=True)
    # Addition: scheduling condition-checks it, so a slot blocked meanwhile is never scheduled.
    version = VersionAttribute(attr_name="version")


class SelectedSlot(MapAttribute):
    date = UnicodeAttribute(attr_name="date")
    start = UnicodeAttribute(attr_name="start")
    end = UnicodeAttribute(attr_name="end")
    priority = IntegerAttribute(attr_name="priority", default=1)


class ScheduledTimeSlot(MapAttribute):
    date = UnicodeAttribute(attr_name="date")
    start = UnicodeAttribute(attr_name="start")
    end = UnicodeAttribute(attr_name="end")


class AppointmentMechanicIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "assignedMechanicId-index"
        projection = AllProjection()

    assigned_mechanic_id = UnicodeAttribute(hash_key=True, attr_name="assignedMechanicId")


class AppointmentCustomerIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "createdUserId-index"
        projection = AllProjection()

    created_user_id = UnicodeAttribute(hash_key=True, attr_name="createdUserId")


class AppointmentScheduledDateIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "scheduledDate-index"
        projection = AllProjection()

    scheduled_date = UnicodeAttribute(hash_key=True, attr_name="scheduledDate")


class AppointmentStatusIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "status-index"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True, attr_name="status")


class AppointmentListIndex(GlobalSecondaryIndex):
    """Addition: every appointment by date (the portal's list, sorted and searched without a Scan)."""

    class Meta:
        index_name = "listKey-listDate-index"
        projection = AllProjection()

    list_key = UnicodeAttribute(hash_key=True, attr_name="listKey")
    list_date = UnicodeAttribute(range_key=True, attr_name="listDate")


class AppointmentStatusListIndex(GlobalSecondaryIndex):
    """Addition: one status's appointments by date (the list's status filter)."""

    class Meta:
        index_name = "status-listDate-index"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True, attr_name="status")
    list_date = UnicodeAttribute(range_key=True, attr_name="listDate")


class AppointmentMechanicListIndex(GlobalSecondaryIndex):
    """Addition: one mechanic's appointments by date (a mechanic's list, the mechanic filter)."""

    class Meta:
        index_name = "assignedMechanicId-listDate-index"
        projection = AllProjection()

    assigned_mechanic_id = UnicodeAttribute(hash_key=True, attr_name="assignedMechanicId")
    list_date = UnicodeAttribute(range_key=True, attr_name="listDate")


class AppointmentVehicleIndex(GlobalSecondaryIndex):
    """Addition: one vehicle's appointments, oldest first (the vehicle page's history); sparse."""

    class Meta:
        index_name = "vehicleKey-createdAt-index"
        projection = AllProjection()

    vehicle_key = UnicodeAttribute(hash_key=True, attr_name="vehicleKey")
    created_at = IntegerAttribute(range_key=True, attr_name="createdAt")


REVIEW_AWAITING = "awaiting"  # reviewQueue while a report waits for an admin's review


class AppointmentReviewIndex(GlobalSecondaryIndex):
    """Addition (#15): appointments with a report uploaded and not reviewed yet, waiting longest
    first; sparse (only they carry ``reviewQueue``)."""

    class Meta:
        index_name = "reviewQueue-reviewSinceMs-index"
        projection = AllProjection()

    review_queue = UnicodeAttribute(hash_key=True, attr_name="reviewQueue")
    review_since_ms = IntegerAttribute(range_key=True, attr_name="reviewSinceMs")


class Appointment(DynamoModel):
    logical_name = "Appointments"

    class Meta(BaseMeta):
        table_name = table_name("Appointments")

    appointment_id = UnicodeAttribute(hash_key=True, attr_name="appointmentId")
    service_id = IntegerAttribute(attr_name="serviceId")
    plan_id = IntegerAttribute(attr_name="planId")
    is_buyer = BooleanAttribute(attr_name="isBuyer")
    buyer_name = UnicodeAttribute(attr_name="buyerName", null=True)
    buyer_email = UnicodeAttribute(attr_name="buyerEmail", null=True)
    buyer_phone = UnicodeAttribute(attr_name="buyerPhone", null=True)
    seller_name = UnicodeAttribute(attr_name="sellerName", null=True)
    seller_email = UnicodeAttribute(attr_name="sellerEmail", null=True)
    seller_phone = UnicodeAttribute(attr_name="sellerPhone", null=True)
    car_make = UnicodeAttribute(attr_name="carMake")
    car_model = UnicodeAttribute(attr_name="carModel")
    car_year = UnicodeAttribute(attr_name="carYear")
    car_location = UnicodeAttribute(attr_name="carLocation")
    notes = UnicodeAttribute(attr_name="notes", null=True)
    selected_slots = ListAttribute(of=SelectedSlot, attr_name="selectedSlots", default=list)
    # Sparse GSI keys: removed (not blanked) when cleared.
    scheduled_date = UnicodeAttribute(attr_name="scheduledDate", null=True)
    scheduled_time_slot = ScheduledTimeSlot(attr_name="scheduledTimeSlot", null=True)
    assigned_mechanic_id = UnicodeAttribute(attr_name="assignedMechanicId", null=True)
    # Addition: the first choice a paid PENDING appointment holds in SlotLoad (reservations.py).
    held_slot = ScheduledTimeSlot(attr_name="heldSlot", null=True)
    created_user_id = UnicodeAttribute(attr_name="createdUserId")
    status = UnicodeAttribute(attr_name="status", default=AppointmentStatus.PENDING.value)
    price = DecimalAttribute(attr_name="price")
    payment_status = UnicodeAttribute(attr_name="paymentStatus", default=PaymentStatus.PENDING.value)
    payment_method = UnicodeAttribute(attr_name="paymentMethod", null=True)
    payment_confirmed_by = UnicodeAttribute(attr_name="paymentConfirmedBy", null=True)
    payment_confirmed_at = IntegerAttribute(attr_name="paymentConfirmedAt", null=True)
    payment_intent_id = UnicodeAttribute(attr_name="paymentIntentId", null=True)
    payment_amount = DecimalAttribute(attr_name="paymentAmount", null=True)
    paid_at = IntegerAttribute(attr_name="paidAt", null=True)
    post_notes = UnicodeAttribute(attr_name="postNotes", null=True)
    # Untyped list: each report entry is read back as a plain dict.
    reports = ListAttribute[dict[str, Any]](attr_name="reports", default=list)
    created_at = IntegerAttribute(attr_name="createdAt")
    created_date = UnicodeAttribute(attr_name="createdDate")
    updated_at = IntegerAttribute(attr_name="updatedAt")
    # Billing-owned payment fields (billing writes them with conditional updates).
    payment_reverted_by = UnicodeAttribute(attr_name="paymentRevertedBy", null=True)
    payment_reverted_at = IntegerAttribute(attr_name="paymentRevertedAt", null=True)
    invoice_id = UnicodeAttribute(attr_name="invoiceId", null=True)
    invoice_url = UnicodeAttribute(attr_name="invoiceUrl", null=True)
    # When the customer asked (on the manage page) to cancel a booking they may not cancel themselves.
    cancellation_requested_at = IntegerAttribute(attr_name="cancellationRequestedAt", null=True)
    # Addition (#16.4, bookings.seller_confirmation): the seller's answer about the scheduled slot
    # ``sellerConfirmationSlot`` ("YYYY-MM-DD HH:MM-HH:MM"): AWAITING, CONFIRMED or PROPOSED (another
    # open slot, ``sellerProposedSlot``, a request staff see; the booking does not move).
    seller_confirmation = UnicodeAttribute(attr_name="sellerConfirmation", null=True)
    seller_confirmation_slot = UnicodeAttribute(attr_name="sellerConfirmationSlot", null=True)
    seller_proposed_slot = UnicodeAttribute(attr_name="sellerProposedSlot", null=True)
    seller_answered_at = IntegerAttribute(attr_name="sellerAnsweredAt", null=True)
    buyer_abn = UnicodeAttribute(attr_name="buyerAbn", null=True)  # printed on its tax invoice, when given
    # Addition: optimistic locking, so two staff edits never silently overwrite each other.
    version = VersionAttribute(attr_name="version")
    # Additions for the portal list (bookings.listing): the list's partition, the day and time it is
    # sorted by (scheduled, else the earliest preferred slot) and what its search matches.
    list_key = UnicodeAttribute(attr_name="listKey", null=True)
    list_date = UnicodeAttribute(attr_name="listDate", null=True)
    search_text = UnicodeAttribute(attr_name="searchText", null=True)
    # Additions (#18.3): the car's registration and VIN, normalised, and the vehicle they name
    # (bookings.vehicles: the rego, else the VIN); sparse, removed when cleared.
    registration = UnicodeAttribute(attr_name="registration", null=True)
    vin = UnicodeAttribute(attr_name="vin", null=True)
    vehicle_key = UnicodeAttribute(attr_name="vehicleKey", null=True)
    # Additions (#15): ``reviewQueue`` (REVIEW_AWAITING) and ``reviewSinceMs`` (epoch ms) while a report
    # is uploaded and not reviewed, removed with the last review (bookings.report_changes);
    # ``generatedReports`` the keys of reports autolab generated, so each is listed once.
    review_queue = UnicodeAttribute(attr_name="reviewQueue", null=True)
    review_since_ms = IntegerAttribute(attr_name="reviewSinceMs", null=True)
    generated_reports = UnicodeSetAttribute(attr_name="generatedReports", null=True)

    assigned_mechanic_index = AppointmentMechanicIndex()
    created_user_index = AppointmentCustomerIndex()
    scheduled_date_index = AppointmentScheduledDateIndex()
    status_index = AppointmentStatusIndex()
    list_index = AppointmentListIndex()
    status_list_index = AppointmentStatusListIndex()
    mechanic_list_index = AppointmentMechanicListIndex()
    vehicle_index = AppointmentVehicleIndex()
    review_index = AppointmentReviewIndex()


class Vehicle(DynamoModel):
    """Addition (#18.3): one car, by its registration (else its VIN), across its customers."""

    logical_name = "Vehicles"

    class Meta(BaseMeta):
        table_name = table_name("Vehicles")

    vehicle_key = UnicodeAttribute(hash_key=True, attr_name="vehicleKey")
    registration = UnicodeAttribute(attr_name="registration", null=True)
    vin = UnicodeAttribute(attr_name="vin", null=True)
    make = UnicodeAttribute(attr_name="make", null=True)
    model = UnicodeAttribute(attr_name="model", null=True)
    year = UnicodeAttribute(attr_name="year", null=True)
    notes = UnicodeAttribute(attr_name="notes", null=True)
    created_at = IntegerAttribute(attr_name="createdAt", null=True)
    updated_at = IntegerAttribute(attr_name="updatedAt", null=True)
    updated_by = UnicodeAttribute(attr_name="updatedBy", null=True)


# --- Additions for atomic scheduling and limits (docs/data-model.md, "bookings") -------------
# SlotLoad and MechanicDay are written with raw update expressions inside one transaction with
# the appointment (bookings/reservations.py): their attribute names are dynamic.


class SlotLoad(DynamoModel):
    """Per business day: ``bHHMM`` = scheduled jobs in that 30-minute bucket; ``j_<appointmentId>``
    = ``"HH:MM-HH:MM|STATUS"`` of each scheduled appointment (the day's scheduled slots)."""

    logical_name = "SlotLoad"

    class Meta(BaseMeta):
        table_name = table_name("SlotLoad")

    date = UnicodeAttribute(hash_key=True, attr_name="date")


class MechanicDay(DynamoModel):
    """Per ``<mechanicId>#<date>``: ``bHHMM`` = the appointment holding that mechanic then."""

    logical_name = "MechanicDay"

    class Meta(BaseMeta):
        table_name = table_name("MechanicDay")

    mechanic_day = UnicodeAttribute(hash_key=True, attr_name="mechanicDay")


class BookingCounter(DynamoModel):
    """Per ``<userId>#<date>``: the daily limit's counter (autolab.limits), bumped in the same
    transaction as every booking made for the customer that day."""

    logical_name = "BookingCounters"

    class Meta(BaseMeta):
        table_name = table_name("BookingCounters")

    counter_key = UnicodeAttribute(hash_key=True, attr_name="counterKey")
    # Every appointment booked for the customer that day (by them or by staff): the limit's total.
    day_total = IntegerAttribute(attr_name="dayTotal", null=True)
    # The same count, bumped alongside (older counters had only this one, for the customer's own).
    bookings = IntegerAttribute(attr_name="bookings", default=0)
