"""Roles and permissions: the one table that says which staff role may do what.

Roles are always read from the Staff table (never from a token). Customers hold no role; what a
customer may do is decided by ownership of the record, in the services.
Based on original-backend-behaviour.md §2, with the changes of ARCHITECTURE.md §5.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission


class Role(StrEnum):
    ADMIN = "ADMIN"
    MECHANIC = "MECHANIC"
    CUSTOMER_SUPPORT = "CUSTOMER_SUPPORT"
    CLERK = "CLERK"


class Permission(StrEnum):
    # Catalogue and prices
    PRICES_VIEW = "prices.view"
    CATALOGUE_MANAGE = "catalogue.manage"
    # Appointments
    APPOINTMENT_BOOK_FOR_CUSTOMER = "appointment.book_for_customer"
    APPOINTMENT_VIEW_ALL = "appointment.view_all"
    APPOINTMENT_VIEW_ASSIGNED = "appointment.view_assigned"
    APPOINTMENT_EDIT = "appointment.edit"  # basic info, scheduling, mechanic assignment
    APPOINTMENT_STATUS_SUPPORT = "appointment.status_support"  # customer-support transition table
    APPOINTMENT_STATUS_ASSIGNED = "appointment.status_assigned"  # assigned-mechanic table, own jobs only
    APPOINTMENT_REPORT_WRITE = "appointment.report_write"  # reports and postNotes (mechanic: own only)
    APPOINTMENT_REPORT_APPROVE = "appointment.report_approve"
    REPORT_UPLOAD = "report.upload"
    # Inspections (#15)
    INSPECTION_FILL = "inspection.fill"  # start, fill and submit (mechanic: own assigned jobs only)
    INSPECTION_TEMPLATES_MANAGE = "inspection.templates_manage"
    SLOTS_MANAGE = "slots.manage"  # block/unblock through the API
    SLOTS_MANAGE_PORTAL = "slots.manage_portal"  # block/unblock on the portal calendar
    # Orders
    ORDER_CREATE_FOR_CUSTOMER = "order.create_for_customer"
    ORDER_VIEW_ALL = "order.view_all"
    ORDER_VIEW_ASSIGNED = "order.view_assigned"
    ORDER_EDIT = "order.edit"  # items, customer/car data, delivery, scheduling
    ORDER_STATUS_SUPPORT = "order.status_support"
    ORDER_STATUS_ASSIGNED = "order.status_assigned"
    ORDER_NOTES_WRITE = "order.notes_write"
    # Payments, invoices, analytics
    PAYMENT_CONFIRM_MANUAL = "payment.confirm_manual"
    INVOICE_VIEW = "invoice.view"
    INVOICE_CREATE_MANUAL = "invoice.create_manual"
    INVOICE_CANCEL = "invoice.cancel"
    ANALYTICS_VIEW = "analytics.view"
    # Customers, chat, inquiries
    USERS_VIEW = "users.view"
    CUSTOMER_EDIT = "customer.edit"
    CUSTOMER_TAKE = "customer.take"
    CUSTOMER_PRIVACY = "customer.privacy"  # export everything held about a customer, anonymise one
    CHAT_INBOX = "chat.inbox"  # the one chat rule: portal inbox, staff socket, online users, last messages, replying
    CANNED_REPLIES_MANAGE = "chat.canned_replies_manage"
    INQUIRY_VIEW = "inquiry.view"
    INQUIRY_MANAGE = "inquiry.manage"
    STAFF_NOTIFICATIONS = "staff.notifications"
    # Email
    EMAIL_VIEW = "email.view"  # mailbox, suppression list, attachments
    EMAIL_SEND = "email.send"
    EMAIL_SUPPRESSION_MANAGE = "email.suppression_manage"
    # Staff and operations
    STAFF_MANAGE = "staff.manage"
    BACKUP_MANAGE = "backup.manage"


ADMIN, MECHANIC, SUPPORT, CLERK = Role.ADMIN, Role.MECHANIC, Role.CUSTOMER_SUPPORT, Role.CLERK
ALL_ROLES = frozenset(Role)

PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.PRICES_VIEW: ALL_ROLES,
    Permission.CATALOGUE_MANAGE: frozenset({ADMIN}),
    Permission.APPOINTMENT_BOOK_FOR_CUSTOMER: frozenset({SUPPORT}),
    Permission.APPOINTMENT_VIEW_ALL: frozenset({ADMIN, SUPPORT, CLERK}),
    Permission.APPOINTMENT_VIEW_ASSIGNED: frozenset({MECHANIC}),
    Permission.APPOINTMENT_EDIT: frozenset({SUPPORT}),
    Permission.APPOINTMENT_STATUS_SUPPORT: frozenset({SUPPORT}),
    Permission.APPOINTMENT_STATUS_ASSIGNED: frozenset({MECHANIC}),
    Permission.APPOINTMENT_REPORT_WRITE: frozenset({SUPPORT, CLERK, MECHANIC}),
    Permission.APPOINTMENT_REPORT_APPROVE: frozenset({ADMIN}),
    Permission.REPORT_UPLOAD: ALL_ROLES,
    Permission.INSPECTION_FILL: frozenset({ADMIN, MECHANIC}),
    Permission.INSPECTION_TEMPLATES_MANAGE: frozenset({ADMIN}),
    Permission.SLOTS_MANAGE: frozenset({ADMIN}),
    Permission.SLOTS_MANAGE_PORTAL: frozenset({ADMIN, SUPPORT}),
    Permission.ORDER_CREATE_FOR_CUSTOMER: frozenset({SUPPORT}),
    Permission.ORDER_VIEW_ALL: frozenset({ADMIN, SUPPORT, CLERK}),
    Permission.ORDER_VIEW_ASSIGNED: frozenset({MECHANIC}),
    Permission.ORDER_EDIT: frozenset({SUPPORT}),
    Permission.ORDER_STATUS_SUPPORT: frozenset({SUPPORT}),
    Permission.ORDER_STATUS_ASSIGNED: frozenset({MECHANIC}),
    Permission.ORDER_NOTES_WRITE: frozenset({SUPPORT, CLERK, MECHANIC}),
    Permission.PAYMENT_CONFIRM_MANUAL: frozenset({ADMIN}),
    Permission.INVOICE_VIEW: frozenset({ADMIN, SUPPORT}),
    Permission.INVOICE_CREATE_MANUAL: frozenset({ADMIN}),
    Permission.INVOICE_CANCEL: frozenset({ADMIN}),
    Permission.ANALYTICS_VIEW: frozenset({ADMIN, SUPPORT}),
    Permission.USERS_VIEW: ALL_ROLES,
    Permission.CUSTOMER_EDIT: frozenset({ADMIN, SUPPORT}),
    Permission.CUSTOMER_TAKE: frozenset({ADMIN, SUPPORT}),
    Permission.CUSTOMER_PRIVACY: frozenset({ADMIN}),
    # ADMIN takes customers (CUSTOMER_TAKE), so may chat with them everywhere, not only in the portal.
    Permission.CHAT_INBOX: frozenset({ADMIN, SUPPORT, CLERK}),
    Permission.CANNED_REPLIES_MANAGE: frozenset({ADMIN, SUPPORT}),
    Permission.INQUIRY_VIEW: ALL_ROLES,
    Permission.INQUIRY_MANAGE: frozenset({ADMIN, SUPPORT}),
    Permission.STAFF_NOTIFICATIONS: ALL_ROLES,
    Permission.EMAIL_VIEW: frozenset({ADMIN, SUPPORT}),
    Permission.EMAIL_SEND: frozenset({ADMIN, SUPPORT}),
    Permission.EMAIL_SUPPRESSION_MANAGE: frozenset({ADMIN, SUPPORT}),
    Permission.STAFF_MANAGE: frozenset({ADMIN}),
    Permission.BACKUP_MANAGE: frozenset({ADMIN}),
}


@dataclass(frozen=True)
class StaffIdentity:
    """The signed-in staff member as the rest of the code sees them: roles from the Staff table."""

    user_id: str
    email: str
    name: str
    roles: frozenset[Role] = field(default_factory=frozenset)

    def has(self, permission: Permission) -> bool:
        return has_permission(self.roles, permission)

    @property
    def is_mechanic_only(self) -> bool:
        """A mechanic without any role that sees everything: lists show their own jobs only."""
        return self.roles == {Role.MECHANIC}


def has_permission(roles: Iterable[Role | str], permission: Permission) -> bool:
    allowed = PERMISSIONS[permission]
    return any(Role(role) in allowed for role in roles if role in Role.__members__)


_UNRESOLVED = object()


def staff_of(request: Any) -> StaffIdentity | None:
    """The signed-in, active staff member of ``request``, or None; resolved once per request.

    staffapp's middleware attaches ``resolve_staff``; it reads ``request.user`` lazily, so a DRF
    view sees the user its token or session authenticated.
    """
    cached = getattr(request, "_staff_identity", _UNRESOLVED)
    if cached is _UNRESOLVED:
        resolver = getattr(request, "resolve_staff", None)
        cached = resolver() if resolver is not None else None
        request._staff_identity = cached
    return cast("StaffIdentity | None", cached)  # set only here and by remember_staff


def staff_required(request: Any) -> StaffIdentity:
    """``staff_of`` in a view that a staff permission (DRF) or the portal site already guards.

    There it is never None; if a view were wired without its guard, the request is refused (403)
    rather than run without a staff member.
    """
    staff = staff_of(request)
    if staff is None:
        raise PermissionDenied
    return staff


def remember_staff(request: Any, identity: StaffIdentity | None) -> None:
    """Record the identity an authenticator already read, so ``staff_of`` does not read it again."""
    request._staff_identity = identity


class IsStaff(BasePermission):
    """DRF: any active staff member."""

    message = "Staff authentication required"

    def has_permission(self, request: Any, view: Any) -> bool:
        return staff_of(request) is not None


def staff_with(*permissions: Permission) -> type[BasePermission]:
    """DRF permission class: an active staff member holding any of ``permissions``."""

    class HasPermission(BasePermission):
        message = "You do not have permission to perform this action"

        def has_permission(self, request: Any, view: Any) -> bool:
            staff = staff_of(request)
            return staff is not None and any(staff.has(perm) for perm in permissions)

    HasPermission.__name__ = f"HasPermission[{','.join(permissions)}]"
    return HasPermission
