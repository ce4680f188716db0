"""What each staff role may do, in words, from the one permission table (autolab.permissions).

The staff form shows it beside each role; a page that hides a control from a role says which role
has it (``role_note``). Every permission has a phrase here (a test checks), so a permission added
to the table shows up on the form.
"""

from __future__ import annotations

from autolab.permissions import ALL_ROLES, PERMISSIONS, Permission, Role, StaffIdentity

ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "Admin",
    Role.MECHANIC: "Mechanic",
    Role.CUSTOMER_SUPPORT: "Customer support",
    Role.CLERK: "Clerk",
}

# What holding the permission lets someone do, as a phrase after "can".
PHRASES: dict[Permission, str] = {
    Permission.PRICES_VIEW: "see prices",
    Permission.CATALOGUE_MANAGE: "change the services, plans and parts catalogue",
    Permission.APPOINTMENT_BOOK_FOR_CUSTOMER: "book appointments for a caller",
    Permission.APPOINTMENT_VIEW_ALL: "see every appointment",
    Permission.APPOINTMENT_VIEW_ASSIGNED: "see the appointments assigned to them",
    Permission.APPOINTMENT_EDIT: "edit and schedule appointments and assign mechanics",
    Permission.APPOINTMENT_STATUS_SUPPORT: "confirm and cancel appointments",
    Permission.APPOINTMENT_STATUS_ASSIGNED: "start and complete their own jobs",
    Permission.APPOINTMENT_REPORT_WRITE: "write job notes and reports",
    Permission.APPOINTMENT_REPORT_APPROVE: "approve inspection reports",
    Permission.REPORT_UPLOAD: "upload report files",
    Permission.INSPECTION_FILL: "fill in and submit inspections (mechanics: their own jobs)",
    Permission.INSPECTION_TEMPLATES_MANAGE: "manage inspection checklists",
    Permission.SLOTS_MANAGE: "block and unblock booking times through the API",
    Permission.SLOTS_MANAGE_PORTAL: "block and unblock booking times on the calendar",
    Permission.ORDER_CREATE_FOR_CUSTOMER: "order parts for a caller",
    Permission.ORDER_VIEW_ALL: "see every parts order",
    Permission.ORDER_VIEW_ASSIGNED: "see the parts orders assigned to them",
    Permission.ORDER_EDIT: "edit and schedule parts orders",
    Permission.ORDER_STATUS_SUPPORT: "confirm and cancel parts orders",
    Permission.ORDER_STATUS_ASSIGNED: "deliver their own parts orders",
    Permission.ORDER_NOTES_WRITE: "write order notes",
    Permission.PAYMENT_CONFIRM_MANUAL: "confirm and revert cash, bank transfer and card payments",
    Permission.INVOICE_VIEW: "see invoices",
    Permission.INVOICE_CREATE_MANUAL: "create manual invoices",
    Permission.INVOICE_CANCEL: "cancel and reactivate invoices",
    Permission.ANALYTICS_VIEW: "see revenue analytics",
    Permission.USERS_VIEW: "see customers",
    Permission.CUSTOMER_EDIT: "edit customer profiles",
    Permission.CUSTOMER_TAKE: "take and release chat customers",
    Permission.CUSTOMER_PRIVACY: "export or anonymise a customer's data (privacy requests)",
    Permission.CHAT_INBOX: "read and answer the chat inbox",
    Permission.CANNED_REPLIES_MANAGE: "manage canned replies",
    Permission.INQUIRY_VIEW: "read inquiries",
    Permission.INQUIRY_MANAGE: "answer inquiries and change their status",
    Permission.STAFF_NOTIFICATIONS: "get live notifications",
    Permission.EMAIL_VIEW: "read the mailbox and the suppression list",
    Permission.EMAIL_SEND: "send emails to customers",
    Permission.EMAIL_SUPPRESSION_MANAGE: "manage the suppression list",
    Permission.STAFF_MANAGE: "add staff and change their roles and access",
    Permission.BACKUP_MANAGE: "manage backups",
}


def role_label(role: str) -> str:
    """ADMIN -> Admin; an unknown value is shown as it is."""
    return ROLE_LABELS.get(Role(role), role) if role in Role.__members__ else role


def role_can(role: Role) -> list[str]:
    """What ``role`` may do beyond what every staff member may."""
    return [PHRASES[p] for p, roles in PERMISSIONS.items() if role in roles and roles != ALL_ROLES]


def role_description(role: Role) -> str:
    return "Can " + "; ".join(role_can(role)) + "."


def everyone_can() -> str:
    return "Every role can " + "; ".join(PHRASES[p] for p, roles in PERMISSIONS.items() if roles == ALL_ROLES) + "."


def holders(permission: Permission) -> str:
    """The roles holding ``permission``, in words: "Admin or Customer support"."""
    names = [ROLE_LABELS[role] for role in Role if role in PERMISSIONS[permission]]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def role_note(staff: StaffIdentity | None, permission: Permission) -> str:
    """For a page that hides a control: why, when ``staff`` lacks ``permission`` (else "")."""
    if staff is None or staff.has(permission):
        return ""
    yours = ", ".join(sorted(ROLE_LABELS[role] for role in staff.roles)) or "none"
    return f"Only {holders(permission)} can {PHRASES[permission]}; your roles: {yours}."
