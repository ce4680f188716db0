"""Turn an email type and its JSON context into subject, plain text and HTML (Django templates).

Callers (bookings, shop, billing) send loosely shaped contexts, camelCase like the original queue
messages or snake_case; the presenter here picks what it finds and every template tolerates a
missing value. The HTML templates autoescape, so customer-supplied text can never inject markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import strip_tags

from autolab.money import to_money
from autolab.workflow import PaymentStatus

TRANSACTIONAL_TYPES = (
    "appointment_created",
    "appointment_updated",
    "appointment_reminder",
    "report_ready",
    "order_created",
    "order_updated",
    "payment_confirmed",
    "payment_cancelled",
    "payment_reactivated",
    "payment_refunded",
    "chat_offline_reply",
    "appointment_reminder_cancelled",
    "seller_confirmation_request",
)
STAFF_MESSAGE = "admin_message"

# The emails app may not import bookings or shop (ARCHITECTURE.md §3), so their statuses are named
# here by value: AppointmentStatus.ONGOING, and the statuses after which nothing is left to pay
# (AppointmentStatus COMPLETED/CANCELLED, OrderStatus DELIVERED/CANCELLED). A test keeps them in step.
STATUS_LABELS = {"ONGOING": "In Progress"}
FINISHED_STATUSES = frozenset({"COMPLETED", "DELIVERED", "CANCELLED"})
_FIXED_SUBJECTS = {
    "appointment_created": "Your Appointment Request Has Been Received",
    "appointment_reminder": "Reminder: Your Upcoming Appointment",
    "report_ready": "Your Inspection Report is Ready",
    "order_created": "Your Service Order Has Been Created",
    "payment_confirmed": "Payment Confirmation - Invoice Generated",
    "payment_cancelled": "Payment Cancelled - Notification",
    "payment_reactivated": "Payment Reactivated - Invoice Restored",
    "payment_refunded": "Refund Processed - Adjustment Note",
    "chat_offline_reply": "You have a reply from Auto Lab Solutions",
    "appointment_reminder_cancelled": "Cancelled: Your Upcoming Appointment",
    "seller_confirmation_request": "Please confirm the inspection time for your car",
}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def _present(value: Any) -> bool:
    return value not in (None, "", [], {})


def pick(source: dict[str, Any], *names: str, default: Any = None) -> Any:
    """The first non-empty value among ``names`` in ``source``."""
    for name in names:
        value = source.get(name)
        if _present(value):
            return value
    return default


def money(value: Any) -> str:
    """``AUD 280.00`` for anything number-like; other values are shown as given."""
    if not _present(value):
        return ""
    try:
        return f"AUD {to_money(value):,}"
    except ValueError:
        return str(value)


def status_label(status: Any) -> str:
    text = str(status or "").strip()
    return STATUS_LABELS.get(text.upper(), text.replace("_", " ").title())


def safe_url(value: Any) -> str:
    """Only absolute http(s) links reach a template; anything else is dropped."""
    text = str(value or "").strip()
    return text if re.match(r"^https?://[^\s<>\"']+$", text) else ""


def frontend_url(path: str = "") -> str:
    return settings.FRONTEND_ROOT_URL.rstrip("/") + path


def subject_for(email_type: str, context: dict[str, Any]) -> str:
    """The subject line of the original for each type (§3.10)."""
    if email_type in _FIXED_SUBJECTS:
        return _FIXED_SUBJECTS[email_type]
    if email_type == STAFF_MESSAGE:
        return str(context.get("subject") or "Message from Auto Lab Solutions")
    noun = "Appointment" if email_type == "appointment_updated" else "Order"
    update_type = str(context.get("update_type") or context.get("updateType") or "general").lower()
    if update_type == "status":
        status = status_label(pick(_source(context), "status", "newStatus", "new_status"))
        return f"{noun} Status Updated - {status}" if status else f"{noun} Status Updated"
    if update_type == "scheduling":
        return f"{noun} Scheduling Update"
    return "Your Appointment Has Been Updated" if noun == "Appointment" else "Your Service Order Has Been Updated"


def _source(context: dict[str, Any]) -> dict[str, Any]:
    """The context with any nested record (``appointment``, ``order``, ``record``) flattened in."""
    merged: dict[str, Any] = {}
    for nested in ("record", "invoice", "payment", "order", "appointment"):
        if isinstance(context.get(nested), dict):
            merged.update(context[nested])
    merged.update({key: value for key, value in context.items() if _present(value)})
    return merged


def _vehicle(source: dict[str, Any]) -> str:
    car = source.get("carData") or source.get("car_data") or source.get("vehicle")
    if isinstance(car, dict):
        return " ".join(str(car.get(key)) for key in ("year", "make", "model") if _present(car.get(key)))
    parts = [pick(source, name) for name in ("carYear", "carMake", "carModel")]
    return str(car) if _present(car) else " ".join(str(part) for part in parts if part)


def _location(source: dict[str, Any]) -> str:
    car = source.get("carData") or source.get("car_data")
    from_car = car.get("location") if isinstance(car, dict) else None
    return str(pick(source, "location", "carLocation", "deliveryLocation", "delivery_location", default=from_car) or "")


def _scheduled(source: dict[str, Any]) -> str:
    slot = pick(source, "scheduledTimeSlot", "scheduled_time_slot")
    if isinstance(slot, dict):
        text = str(slot.get("date") or "")
        if slot.get("start"):
            text += f" {slot['start']} - {slot.get('end') or ''}"
        return text.strip()
    return str(pick(source, "scheduledDate", "scheduled_date", "scheduled", default="") or "")


def _rows(pairs: list[tuple[str, Any]]) -> list[dict[str, str]]:
    return [{"label": label, "value": str(value)} for label, value in pairs if label and _present(value)]


def _change_row(label: Any, change: Any) -> dict[str, str]:
    if isinstance(change, dict):
        return {"label": str(label), "old": str(change.get("old") or ""), "new": str(change.get("new") or "")}
    return {"label": str(label), "old": "", "new": str(change)}


def _changes(context: dict[str, Any]) -> list[dict[str, str]]:
    """``{Label: {new, old}}``, ``{Label: value}``, ``[{label|field, new, old}]`` or ``["Label: value"]``."""
    changes = context.get("changes")
    if isinstance(changes, dict):
        return [_change_row(label, change) for label, change in changes.items()]
    rows = []
    for change in changes if isinstance(changes, list) else []:
        if isinstance(change, dict):
            rows.append(_change_row(change.get("label") or change.get("field") or "", change))
        elif isinstance(change, str) and change.strip():
            # Plain labels ("Plan") or "Label: value" lines ("Scheduling Update: Appointment rescheduled").
            label, _, value = change.partition(": ")
            rows.append({"label": label.strip(), "old": "", "new": value.strip() or "Updated"})
    return rows


def _list_of_dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _items(source: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for item in _list_of_dicts(source.get("items")):
        rows.append(
            {
                "category": str(pick(item, "categoryName", "category_name", "category", default="")),
                "name": str(pick(item, "itemName", "item_name", "name", default="")),
                "quantity": str(pick(item, "quantity", default="")),
                "unit": money(pick(item, "unitPrice", "unit_price", "price")),
                "total": money(pick(item, "totalPrice", "total_price", "total")),
            }
        )
    return rows


def _services(source: dict[str, Any]) -> list[dict[str, str]]:
    """Every (service, plan) booked: an explicit ``services`` list, or the top-level names."""
    services = _list_of_dicts(source.get("services"))
    if not services and pick(source, "serviceName", "service_name"):
        services = [source]
    return [
        {
            "service": str(pick(entry, "serviceName", "service_name", default="")),
            "plan": str(pick(entry, "planName", "plan_name", default="")),
        }
        for entry in services
    ]


def _slots(source: dict[str, Any]) -> list[dict[str, str]]:
    slots = _list_of_dicts(pick(source, "selectedSlots", "selected_slots", default=[]))
    return [{key: str(slot.get(key, "") or "") for key in ("date", "start", "end")} for slot in slots]


def _reference(email_type: str, source: dict[str, Any]) -> tuple[str, str]:
    """(kind, id) of the appointment or order the email is about."""
    appointment = pick(source, "appointmentId", "appointment_id")
    order = pick(source, "orderId", "order_id")
    reference = pick(source, "referenceNumber", "reference_number")
    kind = str(pick(source, "referenceType", "reference_type", default="") or "").lower()
    if appointment or email_type.startswith(("appointment", "report")):
        return "appointment", str(appointment or reference or "")
    if order or email_type.startswith("order"):
        return "order", str(order or reference or "")
    return (kind if kind in ("appointment", "order") else ""), str(reference or "")


def _record_url(kind: str, reference: str) -> str:
    if not (kind and reference):
        return ""
    return frontend_url(f"/{kind}/{quote(reference, safe='')}")


def _actions(email_type: str, source: dict[str, Any], kind: str, record_url: str) -> list[dict[str, str]]:
    paid = str(pick(source, "paymentStatus", "payment_status", default="")).lower() == PaymentStatus.PAID
    finished = str(pick(source, "status", default="")).upper() in FINISHED_STATUSES
    actions = []
    if email_type in ("appointment_created", "order_created") and record_url:
        actions.append({"label": "Complete Payment", "url": record_url})
    elif email_type in ("appointment_updated", "order_updated") and record_url:
        label = "Complete Payment" if not paid and not finished else f"View {kind.title()}"
        actions.append({"label": label, "url": record_url})
    elif email_type == "report_ready":
        report = safe_url(pick(source, "report_url", "reportUrl"))
        if report:
            actions.append({"label": "View Report", "url": report})
        if record_url:
            actions.append({"label": "View Appointment", "url": record_url})
    elif email_type == "payment_confirmed":
        invoice = safe_url(pick(source, "invoice_url", "invoiceUrl", "fileUrl"))
        if invoice:
            actions.append({"label": "View Invoice", "url": invoice})
        elif record_url:
            actions.append({"label": f"View {kind.title()}", "url": record_url})
    elif email_type == "payment_cancelled":
        actions.append({"label": "Visit Portal", "url": record_url or frontend_url()})
    elif email_type in ("payment_reactivated", "payment_refunded"):
        actions.append({"label": "Visit Dashboard", "url": record_url or frontend_url()})
    elif email_type == "seller_confirmation_request":
        if seller := safe_url(pick(source, "sellerUrl")):
            actions.append({"label": "Confirm or suggest a time", "url": seller})
        return actions
    elif email_type == "chat_offline_reply":
        actions.append({"label": "Open the chat", "url": safe_url(pick(source, "chatUrl")) or frontend_url()})
    manage = safe_url(pick(source, "manageUrl", "manage_url"))
    if manage and email_type in APPOINTMENT_EMAILS:  # the booking's signed self-service page (bookings)
        actions.append({"label": "Manage Booking", "url": manage})
    return actions


APPOINTMENT_EMAILS = ("appointment_created", "appointment_updated", "appointment_reminder", "report_ready")


def _payment_method(source: dict[str, Any]) -> str:
    method = str(pick(source, "paymentMethod", "payment_method", default="") or "")
    labels = {
        "stripe": "Stripe",
        "cash": "Cash",
        "bank_transfer": "Bank Transfer",
        "bank": "Bank Transfer",
        "card": "Card",
    }
    return labels.get(method.lower(), method)


def _details(email_type: str, source: dict[str, Any], kind: str, reference: str) -> list[dict[str, str]]:
    id_label = "Appointment ID" if kind == "appointment" else "Order ID" if kind == "order" else "Reference"
    pairs: list[tuple[str, Any]] = [(id_label, reference)]
    services = _services(source)
    if email_type.startswith("payment"):
        pairs += [
            ("Amount", money(pick(source, "amount", "totalAmount", "total_amount", "price", "totalPrice"))),
            ("Payment method", _payment_method(source)),
            ("Payment date", pick(source, "paymentDate", "payment_date", "paidDate")),
            ("Payment reference", pick(source, "paymentReference", "payment_reference")),
            ("Invoice", pick(source, "invoiceNumber", "invoice_number", "invoiceId", "invoice_id")),
            ("Adjustment note", pick(source, "adjustmentNoteNumber")),
        ]
        when = {
            "payment_cancelled": "Cancelled on",
            "payment_reactivated": "Reactivated on",
            "payment_refunded": "Refunded on",
        }.get(email_type, "")
        reasons = ("cancellationReason", "cancellation_reason", "reactivationReason", "reactivation_reason", "reason")
        pairs += [
            (
                when,
                pick(source, "cancellationDate", "cancellation_date", "reactivationDate", "reactivation_date", "date"),
            ),
            ("Reason", pick(source, *reasons)),
            ("Cancelled invoice", pick(source, "cancelledInvoiceId", "cancelled_invoice_id")),
            ("Reactivated invoice", pick(source, "reactivatedInvoiceId", "reactivated_invoice_id")),
        ]
        if email_type == "payment_confirmed":
            pairs.append(("Status", "✅ Completed"))
        return _rows(pairs)
    pairs += [
        # One service shows as two rows; several get their own table.
        ("Service", services[0]["service"] if len(services) == 1 else ""),
        ("Plan", services[0]["plan"] if len(services) == 1 else ""),
        ("Scheduled time", _scheduled(source) or ("" if email_type.endswith("created") else "To be confirmed")),
        ("Mechanic", pick(source, "assignedMechanicName", "mechanicName", "mechanic_name")),
        ("Vehicle", _vehicle(source)),
        ("Location", _location(source)),
        ("Contact phone", pick(source, "contactNumber", "contact_number", "phoneNumber", "phone")),
        ("Status", status_label(pick(source, "status"))),
        ("Total", money(pick(source, "totalPrice", "total_price", "price", "total", "amount"))),
    ]
    if email_type == "report_ready":
        pairs.append(("Report", pick(source, "report_file_name", "reportFileName", "fileName")))
    return _rows(pairs)


def view_model(email_type: str, context: dict[str, Any]) -> dict[str, Any]:
    """Everything the templates show, already shaped; missing values are simply left out."""
    source = _source(context)
    kind, reference = _reference(email_type, source)
    record_url = _record_url(kind, reference)
    name = pick(context, "to_name", "customer_name", "customerName", "name", default="")
    return {
        "email_type": email_type,
        "update_type": str(pick(context, "update_type", "updateType", default="general")).lower(),
        "name": str(name).strip() or "there",
        "kind": kind,
        "reference": reference,
        "record_url": record_url,
        "status": status_label(pick(source, "status")),
        "details": [] if email_type == "chat_offline_reply" else _details(email_type, source, kind, reference),
        "services": services if len(services := _services(source)) > 1 else [],
        "slots": _slots(source),
        "items": _items(source),
        "changes": _changes(context),
        "actions": _actions(email_type, source, kind, record_url),
        "message": str(pick(context, "message", "notes", default="") or ""),
        "chat_messages": [
            {"text": str(entry.get("text") or ""), "at": str(entry.get("at") or "")}
            for entry in _list_of_dicts(context.get("chatMessages"))
        ],
        "business": {
            "name": settings.BUSINESS_NAME,
            "email": settings.BUSINESS_EMAIL,
            "phone": settings.BUSINESS_PHONE,
            "address": settings.BUSINESS_ADDRESS,
            "website": frontend_url(),
        },
    }


def render_email(email_type: str, context: dict[str, Any]) -> RenderedEmail:
    """Subject, text and HTML of one email."""
    if email_type not in (*TRANSACTIONAL_TYPES, STAFF_MESSAGE):
        raise ValueError(f"Unknown email type {email_type!r}")
    data = view_model(email_type, context)
    if email_type == STAFF_MESSAGE:
        data.update(staff_message_context(context))
    subject = " ".join(subject_for(email_type, context).split())[:200]
    data["subject"] = subject
    data.update(_document_names())
    text = render_to_string(f"emails/{email_type}.txt", data).strip() + "\n"
    html = render_to_string(f"emails/{email_type}.html", data)
    return RenderedEmail(subject=subject, text=text, html=html)


def _document_names() -> dict[str, str]:
    """What the attached documents are called: a business not registered for GST issues plain
    invoices and credit notes (the ATO's tax invoice and adjustment note need a GST registration)."""
    if settings.GST_REGISTERED:
        return {"invoice_name": "tax invoice", "note_name": "adjustment note"}
    return {"invoice_name": "invoice", "note_name": "credit note"}


def staff_message_context(context: dict[str, Any]) -> dict[str, Any]:
    return {
        "body_text": str(context.get("text") or strip_tags(str(context.get("html") or ""))),
        "body_html": str(context.get("html") or ""),
        "signature": str(context.get("signature") or ""),
    }
