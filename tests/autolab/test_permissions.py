"""The one permission table, against the matrix of original-backend-behaviour.md §2 and ARCHITECTURE §5."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from autolab.permissions import (
    PERMISSIONS,
    Permission,
    Role,
    StaffIdentity,
    has_permission,
    remember_staff,
    staff_required,
)

A, M, S, C = Role.ADMIN, Role.MECHANIC, Role.CUSTOMER_SUPPORT, Role.CLERK


def test_every_permission_is_in_the_table() -> None:
    assert set(PERMISSIONS) == set(Permission)


@pytest.mark.parametrize(
    ("permission", "allowed"),
    [
        (Permission.APPOINTMENT_BOOK_FOR_CUSTOMER, {S}),
        (Permission.APPOINTMENT_VIEW_ALL, {A, S, C}),
        (Permission.APPOINTMENT_EDIT, {S}),
        (Permission.APPOINTMENT_STATUS_ASSIGNED, {M}),
        (Permission.APPOINTMENT_REPORT_APPROVE, {A}),
        (Permission.REPORT_UPLOAD, {A, M, S, C}),
        (Permission.INSPECTION_FILL, {A, M}),
        (Permission.INSPECTION_TEMPLATES_MANAGE, {A}),
        (Permission.SLOTS_MANAGE, {A}),
        (Permission.ORDER_VIEW_ALL, {A, S, C}),
        (Permission.PAYMENT_CONFIRM_MANUAL, {A}),
        # Changed by ARCHITECTURE §5.6: invoices are staff-only, manual invoices and cancel ADMIN only.
        (Permission.INVOICE_VIEW, {A, S}),
        (Permission.INVOICE_CREATE_MANUAL, {A}),
        (Permission.INVOICE_CANCEL, {A}),
        (Permission.ANALYTICS_VIEW, {A, S}),
        (Permission.CUSTOMER_EDIT, {A, S}),
        (Permission.CUSTOMER_TAKE, {A, S}),
        (Permission.CHAT_INBOX, {A, S, C}),
        # Fixed weak spot 35: ADMIN may read the mailbox and manage suppression.
        (Permission.EMAIL_VIEW, {A, S}),
        (Permission.EMAIL_SEND, {A, S}),
        (Permission.STAFF_MANAGE, {A}),
    ],
)
def test_matrix(permission: Permission, allowed: set[Role]) -> None:
    for role in Role:
        assert has_permission([role], permission) is (role in allowed), (permission, role)


def test_any_one_role_is_enough_and_unknown_roles_grant_nothing() -> None:
    assert has_permission(["CLERK", "ADMIN"], Permission.STAFF_MANAGE)
    assert not has_permission(["MANAGER", "STAFF"], Permission.PRICES_VIEW)


def test_mechanic_only_means_exactly_the_mechanic_role() -> None:
    assert StaffIdentity("u", "e", "n", frozenset({M})).is_mechanic_only
    assert not StaffIdentity("u", "e", "n", frozenset({M, S})).is_mechanic_only


def test_staff_required_is_the_signed_in_member_and_refuses_a_request_without_one() -> None:
    member = StaffIdentity("u", "e", "n", frozenset({S}))
    signed_in, anonymous = RequestFactory().get("/"), RequestFactory().get("/")
    remember_staff(signed_in, member)
    remember_staff(anonymous, None)
    assert staff_required(signed_in) is member
    with pytest.raises(PermissionDenied):
        staff_required(anonymous)
