"""Staff management: a staff member is a Django login plus a Staff item holding the roles."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import transaction
from pynamodb.exceptions import PutError
from rest_framework.authtoken.models import Token

from autolab import clock, events
from autolab.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from autolab.permissions import Role, StaffIdentity
from staffapp.models import Staff
from staffapp.selectors import staff_get

EMAIL_RE = re.compile(r"^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$")
PHONE_RE = re.compile(r"^(\+\d{1,3})?\d{7,15}$")


def _clean_roles(roles: Iterable[str]) -> list[str]:
    cleaned = []
    for role in roles:
        name = str(role).strip().upper()
        if name not in Role.__members__:
            raise ValidationError(f"Unknown role {role!r}; roles are {', '.join(Role)}")
        if name not in cleaned:
            cleaned.append(name)
    return cleaned


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email):
        raise ValidationError("A valid email address is required")
    return email


def _clean_phone(phone: str) -> str:
    phone = (phone or "").strip()
    if phone and not PHONE_RE.match(re.sub(r"[\s\-()]", "", phone)):
        raise ValidationError("Invalid phone number")
    return phone


def _login_for(email: str) -> AbstractUser:
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=email, defaults={"email": email, "is_staff": True})
    return user


@transaction.atomic
def staff_save(
    *,
    email: str,
    name: str,
    phone: str = "",
    roles: Iterable[str],
    password: str | None = None,
) -> tuple[Staff, bool]:
    """Create or update a staff member (login and Staff item together). Returns (staff, created)."""
    email, phone, role_list = _clean_email(email), _clean_phone(phone), _clean_roles(roles)
    name = (name or "").strip()
    if not name:
        raise ValidationError("A name is required")
    now = clock.epoch_now()
    staff = staff_get(email)
    created = staff is None
    old_roles = None if staff is None else set(staff.roles or [])
    if staff is None:
        staff = Staff(user_email=email, user_id=str(uuid.uuid4()), created_at=now, is_active=True)
    staff.user_name, staff.contact_number, staff.roles, staff.updated_at = name, phone, role_list, now
    # A new member is created only if nobody created the same address meanwhile (one userId each).
    try:
        staff.save(condition=Staff.user_email.does_not_exist() if created else None)
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict("A staff member with this email was just created; reload and try again") from error
        raise
    user = _login_for(email)
    user.email, user.first_name, user.is_staff, user.is_active = email, name[:150], True, staff.is_active
    if password:
        user.set_password(password)
    user.save()
    if old_roles is not None and old_roles != set(role_list):
        _tell_sockets(staff)
    return staff, created


def _tell_sockets(staff: Staff) -> None:
    # After the login change commits: the socket re-checks the member and must see the new state.
    transaction.on_commit(lambda: events.staff_access_changed(staff.user_id))


def _target(email: str, actor: StaffIdentity) -> Staff:
    staff = staff_get(email)
    if staff is None:
        raise NotFound("Staff member not found")
    if staff.user_email == actor.email:
        raise PermissionDenied("You cannot change your own roles or access")
    return staff


def staff_set_roles(*, actor: StaffIdentity, email: str, roles: Iterable[str]) -> Staff:
    """Replace a staff member's roles; nobody changes their own (so an admin cannot lock out)."""
    staff = _target(email, actor)
    role_list = _clean_roles(roles)
    if not role_list:
        raise ValidationError("At least one role is required")
    staff.update(actions=[Staff.roles.set(role_list), Staff.updated_at.set(clock.epoch_now())])
    _tell_sockets(staff)
    return staff


@transaction.atomic
def staff_set_active(*, actor: StaffIdentity, email: str, active: bool) -> Staff:
    """Deactivate (or reactivate) a staff member: no sign-in, no token, item kept for history."""
    staff = _target(email, actor)
    staff.update(actions=[Staff.is_active.set(active), Staff.updated_at.set(clock.epoch_now())])
    user = _login_for(staff.user_email)
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        Token.objects.filter(user=user).delete()
    _tell_sockets(staff)
    return staff


def staff_issue_token(*, user: AbstractUser) -> str:
    """The API token of an active staff login (created on first use)."""
    token, _ = Token.objects.get_or_create(user=user)
    return token.key
