"""Reads of the Staff table, always by key or index (the staff list goes through auth users)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.core.paginator import Paginator

from autolab.permissions import Role, StaffIdentity
from staffapp.models import Staff


def staff_get(email: str) -> Staff | None:
    return Staff.get_or_none(email.lower())


def staff_get_by_user_id(user_id: str) -> Staff | None:
    return next(iter(Staff.user_id_index.query(user_id, limit=1)), None)


def staff_get_many(emails: Iterable[str]) -> list[Staff]:
    """Staff items for ``emails`` in one BatchGet per 100 addresses."""
    keys = sorted({email.lower() for email in emails})
    return sorted(Staff.batch_get(keys), key=lambda staff: staff.user_name.lower())


def staff_identity(staff: Staff) -> StaffIdentity:
    roles = frozenset(Role(role) for role in staff.roles if role in Role.__members__)
    return StaffIdentity(user_id=staff.user_id, email=staff.user_email, name=staff.user_name, roles=roles)


def staff_identity_for_user(user: User | AnonymousUser) -> StaffIdentity | None:
    """The identity of a signed-in user who is active staff; None for anyone else."""
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return None
    staff = staff_get(user.email)
    if staff is None or not staff.is_active:
        return None
    return staff_identity(staff)


def staff_list(*, page: int = 1, per_page: int = 50) -> tuple[list[Staff], Paginator]:
    """Every staff member, active or not, ordered by email, one page at a time."""
    users = get_user_model().objects.filter(is_staff=True).order_by("email")
    paginator = Paginator(users, per_page)
    emails = [user.email for user in paginator.get_page(page).object_list]
    return staff_get_many(emails), paginator


def staff_list_active_with_role(role: Role) -> list[Staff]:
    """Active staff holding ``role`` (e.g. mechanics for capacity and assignment)."""
    emails = get_user_model().objects.filter(is_staff=True, is_active=True).values_list("email", flat=True)
    return [staff for staff in staff_get_many(emails) if staff.is_active and role in staff.roles]
