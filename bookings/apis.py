"""Bookings API (thin): the original website's paths and shapes, with correct statuses."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autolab import clock
from autolab.api import PageQuerySerializer, ok, validated_body, validated_query
from autolab.dates import date_range, day_field, parse_day
from autolab.exceptions import NotFound, PermissionDenied, ValidationError
from autolab.permissions import IsStaff, Permission, StaffIdentity, staff_of, staff_required, staff_with
from autolab.throttling import PublicWriteThrottle
from autolab.workflow import PAYMENT_FILTER_STATUSES
from bookings import catalogue, selectors, services, updates
from bookings.models import AppointmentStatus
from bookings.serializers import outputs as out
from bookings.serializers.changes import AppointmentChangesInput
from bookings.serializers.inputs import AppointmentCreateInput, SlotsChangeInput
from bookings.serializers.outputs import appointment_json, mechanic_json
from bookings.slots import Interval
from chat.selectors import customer_get

MAX_AVAILABILITY_DAYS = 62

DATE_PARAMETERS = [
    OpenApiParameter("date", str, description="YYYY-MM-DD (or startDate and endDate)"),
    OpenApiParameter("startDate", str),
    OpenApiParameter("endDate", str),
]


def _dates(params: Any, *, max_days: int, allow_check: bool = False) -> tuple[list[str], bool]:
    """``date`` or ``startDate``+``endDate`` (inclusive) as ISO strings; True when it was a range."""
    date, start, end = params.get("date"), params.get("startDate"), params.get("endDate")
    if date and (start or end):
        raise ValidationError("Cannot specify both single 'date' and date range ('startDate'/'endDate')")
    if date:
        return [parse_day(date).isoformat()], False
    if not (start and end):
        raise ValidationError("Either 'date' or both 'startDate' and 'endDate' parameters are required")
    if params.get("checkSlot") and not allow_check:
        raise ValidationError("checkSlot can only be used with a single date")
    span = date_range(parse_day(start, "startDate"), parse_day(end, "endDate"), max_days=max_days)
    return [day.isoformat() for day in span.each_day()], True


UNAVAILABLE_READ = PolymorphicProxySerializer(
    "UnavailableSlotsRead",
    serializers=[out.UnavailableDayBodyOut, out.UnavailableRangeOut, out.UnavailableCheckOut],
    resource_type_field_name=None,
)
UNAVAILABLE_CHANGE = PolymorphicProxySerializer(
    "UnavailableSlotsChange",
    serializers=[out.UnavailableDayBodyOut, out.UnavailableRangeOut, out.SlotsDayChangeOut, out.SlotsRangeChangeOut],
    resource_type_field_name=None,
)

# --- Catalogue --------------------------------------------------------------------------------


class ServicesApi(APIView):
    """Public: active services and plans with price, duration and features."""

    authentication_classes: list = []

    @extend_schema(operation_id="services_list", responses={200: out.ServicesOut})
    def get(self, request: Request) -> Response:
        return ok({"services": selectors.service_catalogue()})


# --- Blocked periods and availability ------------------------------------------------------------


class UnavailableSlotsApi(APIView):
    """GET (public) the original per-day shape; POST (ADMIN) get/set/add/remove blocked periods."""

    def get_permissions(self) -> list:
        return [staff_with(Permission.SLOTS_MANAGE)()] if self.request.method == "POST" else []

    @extend_schema(
        operation_id="unavailable_slots_get",
        parameters=[*DATE_PARAMETERS, OpenApiParameter("checkSlot", str)],
        responses={200: UNAVAILABLE_READ},
    )
    def get(self, request: Request) -> Response:
        dates, is_range = _dates(request.query_params, max_days=catalogue.MAX_RANGE_DAYS)
        check = request.query_params.get("checkSlot")
        states = selectors.day_states(dates)
        if is_range or not check:
            return ok(_unavailable(dates, states, is_range))
        payload = selectors.unavailable_payload(states[dates[0]])
        try:
            interval = Interval.parse_range(check)
        except ValueError as exc:
            raise ValidationError(f"Invalid timeslot format: {check[:20]}") from exc
        return ok(
            {"availabilityCheck": selectors.slot_check(states[dates[0]], interval), "fullUnavailableSlots": payload}
        )

    @extend_schema(
        operation_id="unavailable_slots_update",
        request=SlotsChangeInput,
        responses={200: UNAVAILABLE_CHANGE},
    )
    def post(self, request: Request) -> Response:
        body = request.data if isinstance(request.data, dict) else {}
        params = {key: body.get(key) or request.query_params.get(key) for key in ("date", "startDate", "endDate")}
        dates, is_range = _dates(params, max_days=catalogue.MAX_RANGE_DAYS)
        change = SlotsChangeInput.parse(body)
        if change["operation"] == "get":  # the original answers a POST get exactly like GET
            return ok(_unavailable(dates, selectors.day_states(dates), is_range))
        actor = staff_required(request)
        results = catalogue.unavailable_slots_update(actor=actor, dates=dates, **change)
        common = {"operation": change["operation"], "updatedBy": actor.user_id, "timestamp": clock.iso_local()}
        if is_range:
            return ok({"dateRange": {"startDate": dates[0], "endDate": dates[-1]}, "results": results, **common})
        return ok({**results[dates[0]], **common})


def _unavailable(dates: list[str], states: dict, is_range: bool) -> dict[str, Any]:
    """The original's read of blocked and scheduled periods: one day, or ``unavailableSlotsByDate``."""
    if not is_range:
        return selectors.unavailable_payload(states[dates[0]])
    by_date = {date: selectors.unavailable_payload(states[date]) for date in dates}
    return {"dateRange": {"startDate": dates[0], "endDate": dates[-1]}, "unavailableSlotsByDate": by_date}


class AvailabilityApi(APIView):
    """Public: every candidate slot of a plan per day, with its status and free capacity."""

    authentication_classes: list = []

    class AvailabilityQuerySerializer(serializers.Serializer):
        serviceId = serializers.IntegerField(min_value=1, max_value=10_000)
        planId = serializers.IntegerField(min_value=1, max_value=10_000)

    @extend_schema(
        operation_id="availability_get",
        parameters=[AvailabilityQuerySerializer, *DATE_PARAMETERS],
        responses={200: out.AvailabilityOut},
    )
    def get(self, request: Request) -> Response:
        query = validated_query(self.AvailabilityQuerySerializer, request)
        dates, _ = _dates(request.query_params, max_days=MAX_AVAILABILITY_DAYS)
        plan = selectors.plan_cached(query["serviceId"], query["planId"])
        if plan is None or not plan.active:
            raise NotFound("Service plan not found")
        capacity = selectors.booking_capacity()
        states = selectors.day_states(dates)
        days = selectors.availability_days([states[d] for d in dates], plan.duration_minutes, capacity)
        return ok(
            {
                "serviceId": plan.service_id,
                "planId": plan.plan_id,
                "durationMinutes": plan.duration_minutes,
                "capacity": capacity,
                "days": days,
            }
        )


# --- Appointments -----------------------------------------------------------------------------


class AppointmentListFilterSerializer(PageQuerySerializer):
    userId = serializers.CharField(required=False, max_length=64)
    status = serializers.ChoiceField(required=False, choices=[status.value for status in AppointmentStatus])
    paymentStatus = serializers.ChoiceField(
        required=False, choices=[status.value for status in PAYMENT_FILTER_STATUSES]
    )
    serviceId = serializers.IntegerField(required=False, min_value=0, max_value=10_000)
    mechanicId = serializers.CharField(required=False, max_length=64)
    dateFrom = day_field(required=False)
    dateTo = day_field(required=False)


def _customer_id(request: Request) -> str:
    user_id = request.query_params.get("userId")
    if not user_id:
        raise ValidationError("userId is required for non-staff users")
    if customer_get(user_id) is None:
        raise NotFound(f"No user record found for userId: {user_id[:64]}")
    return user_id


def _list_for(staff: StaffIdentity | None, request: Request, query: dict[str, Any]) -> Any:
    filters = selectors.AppointmentFilters(
        status=query.get("status"),
        payment_status=query.get("paymentStatus"),
        service_id=query.get("serviceId"),
        mechanic_id=query.get("mechanicId"),
        date_from=query["dateFrom"].isoformat() if query.get("dateFrom") else None,
        date_to=query["dateTo"].isoformat() if query.get("dateTo") else None,
    )
    paging = {"limit": query["limit"], "cursor": query["cursor"] or None}
    if staff is None:
        return selectors.appointment_list_for_customer(_customer_id(request), filters, **paging)
    if staff.has(Permission.APPOINTMENT_VIEW_ALL):
        return selectors.appointment_list_for_staff(filters, **paging)
    if staff.has(Permission.APPOINTMENT_VIEW_ASSIGNED):
        return selectors.appointment_list_for_mechanic(staff.user_id, filters, **paging)
    raise PermissionDenied("Unauthorized: Invalid staff role")


class MayBook(BasePermission):
    """Customers, and the staff who book for them; checked before the body is read."""

    message = services.BOOK_FOR_CUSTOMER_DENIED
    admits_customers = True  # the schema lists anonymous callers (autolab.api.OpenAutoSchema)

    def has_permission(self, request: Request, view: APIView) -> bool:
        return services.may_book(staff_of(request))


class AppointmentsApi(APIView):
    """GET: a customer's own, a mechanic's assigned, or (other staff) all; POST: book."""

    def get_permissions(self) -> list:
        return [MayBook()] if self.request.method == "POST" else []

    def get_throttles(self) -> list:
        return [PublicWriteThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        operation_id="appointments_list",
        parameters=[AppointmentListFilterSerializer],
        responses={200: out.AppointmentListOut},
    )
    def get(self, request: Request) -> Response:
        staff = staff_of(request)
        page = _list_for(staff, request, validated_query(AppointmentListFilterSerializer, request))
        items = [appointment_json(a, for_customer=staff is None) for a in page.items]
        return ok({"appointments": items, "count": len(items), "nextCursor": page.next_cursor})

    @extend_schema(
        operation_id="appointments_create", request=AppointmentCreateInput, responses={200: out.AppointmentCreatedOut}
    )
    def post(self, request: Request) -> Response:
        actor = staff_of(request)
        booking = AppointmentCreateInput.parse(request.data, customer=actor is None)
        appointment = services.appointment_create(actor=actor, **booking)
        return ok({"message": "Appointment created successfully", "appointmentId": appointment.appointment_id})


class AppointmentDetailApi(APIView):
    """GET one appointment (customers: only their own); PATCH: staff update by field group."""

    def get_permissions(self) -> list:
        return [IsStaff()] if self.request.method == "PATCH" else []

    @extend_schema(
        operation_id="appointments_get",
        parameters=[OpenApiParameter("userId", str)],
        responses={200: out.AppointmentDetailOut},
    )
    def get(self, request: Request, appointment_id: str) -> Response:
        staff = staff_of(request)
        owner = None if staff else _customer_id(request)
        appointment = selectors.appointment_get(appointment_id)
        if appointment is None or (owner is not None and appointment.created_user_id != owner):
            raise NotFound("Appointment not found")
        mechanic = selectors.staff_contact(appointment.assigned_mechanic_id)
        data = {"appointment": appointment_json(appointment, for_customer=staff is None)}
        if mechanic:
            data["assignedMechanic"] = mechanic_json(mechanic, for_customer=staff is None)
        return ok(data)

    @extend_schema(
        operation_id="appointments_update",
        request=AppointmentChangesInput,
        responses={200: out.AppointmentUpdatedOut},
    )
    def patch(self, request: Request, appointment_id: str) -> Response:
        changes = AppointmentChangesInput.parse(request.data)
        appointment = updates.appointment_update(
            actor=staff_required(request), appointment_id=appointment_id, changes=changes
        )
        return ok({"message": "Appointment updated successfully", "appointment": appointment_json(appointment)})


UPLOAD_NOTE = "PUT the PDF, of the fileSize given, to uploadUrl with instructions.headers; the link works once"


class UploadUrlApi(APIView):
    """Staff: a signed, expiring PUT link for one PDF report of an appointment."""

    permission_classes = [staff_with(Permission.REPORT_UPLOAD)]

    class UploadUrlInput(serializers.Serializer):
        uploadType = serializers.CharField(max_length=20, help_text="report")
        referenceId = serializers.CharField(max_length=64, help_text="The appointment's id")
        fileName = serializers.CharField(max_length=255)
        fileType = serializers.CharField(max_length=100, help_text="application/pdf")
        fileSize = serializers.IntegerField(required=False, min_value=0)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if attrs["uploadType"] != "report":
                raise ValidationError("Only report uploads are supported")
            if attrs["fileType"].lower() not in ("application/pdf", "pdf"):
                raise ValidationError("Only PDF files are allowed for reports")
            return {
                "appointment_id": attrs["referenceId"],
                "file_name": attrs["fileName"],
                "file_size": attrs.get("fileSize"),
            }

    @extend_schema(operation_id="upload_urls_create", request=UploadUrlInput, responses={200: out.UploadUrlOut})
    def post(self, request: Request) -> Response:
        upload = services.report_upload_url(
            actor=staff_required(request), **validated_body(self.UploadUrlInput, request)
        )
        url = upload.target.url
        return ok(
            {
                "uploadUrl": request.build_absolute_uri(url) if url.startswith("/") else url,
                "uploadFields": {},
                "s3Key": upload.key,
                "referenceId": upload.appointment_id,
                "uploadType": "report",
                "metadata": upload.entry,
                "expiresIn": upload.expires_in,
                "fileUrl": upload.file_url,
                "instructions": {"method": "PUT", "headers": upload.target.headers, "note": UPLOAD_NOTE},
            }
        )
