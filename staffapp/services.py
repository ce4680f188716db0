"""Staff management: a staff member is a Django login plus a Staff item holding the roles."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, User
from django.db import transaction
from pynamodb.exceptions import PutError, UpdateError
from rest_framework.authtoken.models import Token

from autolab import audit, caches, clock, events
from autolab.authentication import token_is_current
from autolab.dynamodb import condition_failed
from autolab.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from autolab.permissions import Role, StaffIdentity
from autolab.validation import is_email, is_phone
from staffapp.models import Staff
from staffapp.selectors import staff_get


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
    if not is_email(email):
        raise ValidationError("A valid email address is required")
    return email


def _clean_phone(phone: str) -> str:
    phone = (phone or "").strip()
    if phone and not is_phone(phone):
        raise ValidationError("Invalid phone number")
    return phone


def _login_for(email: str) -> User:
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
    """Create or update a staff member (login and Staff item together). Returns (staff, created).

    The ``createstaff`` command's contract ("creates or updates"); the portal adds with
    ``staff_create``, which never touches an existing member.
    """
    return _staff_write(email=email, name=name, phone=phone, roles=roles, password=password, new_only=False)


@transaction.atomic
def staff_create(
    *, email: str, name: str, phone: str = "", roles: Iterable[str], password: str, actor: StaffIdentity | None = None
) -> Staff:
    """Add a new staff member; an existing address is a conflict (never a silent overwrite of a
    peer's roles, phone or password)."""
    staff, _ = _staff_write(email=email, name=name, phone=phone, roles=roles, password=password, new_only=True)
    audit.record(actor, "staff.create", "staff", staff.user_id, {}, audit.snapshot(staff, only=_AUDITED))
    return staff


_AUDITED = ("userEmail", "userName", "contactNumber", "roles", "isActive")


def _staff_write(
    *, email: str, name: str, phone: str, roles: Iterable[str], password: str | None, new_only: bool
) -> tuple[Staff, bool]:
    email, phone, role_list = _clean_email(email), _clean_phone(phone), _clean_roles(roles)
    name = (name or "").strip()
    if not name:
        raise ValidationError("A name is required")
    now = clock.epoch_now()
    staff = staff_get(email)
    if staff is not None and new_only:
        raise Conflict(_EXISTS)
    created = staff is None
    old_roles = None if staff is None else set(staff.roles or [])
    if staff is None:
        staff = Staff(user_email=email, user_id=str(uuid.uuid4()), created_at=now, is_active=True)
    staff.user_name, staff.contact_number, staff.roles, staff.updated_at = name, phone, role_list, now
    # A new member is created only if nobody created the same address meanwhile (one userId each).
    try:
        staff.save(condition=Staff.user_email.does_not_exist() if created else None)
    except PutError as error:
        if condition_failed(error):
            raise Conflict(_EXISTS if new_only else _JUST_CREATED) from error
        raise
    user = _login_for(email)
    user.email, user.first_name, user.is_staff, user.is_active = email, name[:150], True, staff.is_active
    if password:
        user.set_password(password)
    user.save()
    caches.staff_changed()
    if old_roles is not None and old_roles != set(role_list):
        _tell_sockets(staff)
    return staff, created


_EXISTS = "A staff member with this email already exists; change their roles on their own page"
_JUST_CREATED = "A staff member with this email was just created; reload and try again"


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


@dataclass(frozen=True)
class RolesChange:
    staff: Staff
    previous_roles: list[str]
    updated_at: int


def staff_set_roles(*, actor: StaffIdentity, email: str, roles: Iterable[str]) -> RolesChange:
    """Replace a staff member's roles; nobody changes their own (so an admin cannot lock out).

    Roles are upper-cased and de-duplicated in order. The write is conditional on the roles read,
    so two admins changing the same member at once cannot both report the same ``previousRoles``.
    """
    staff = _target(email, actor)
    role_list = _clean_roles(roles)
    if not role_list:
        raise ValidationError("At least one role is required")
    previous, now = list(staff.roles), clock.epoch_now()
    try:
        staff.update(
            actions=[Staff.roles.set(role_list), Staff.updated_at.set(now)],
            condition=Staff.roles == previous if previous else Staff.roles.does_not_exist() | (Staff.roles == []),
        )
    except UpdateError as error:
        if condition_failed(error):
            raise Conflict("Someone else changed this member's roles just now; reload and try again") from error
        raise
    audit.record(actor, "staff.roles", "staff", staff.user_id, changes={"roles": [previous, role_list]})
    caches.staff_changed()
    _tell_sockets(staff)
    return RolesChange(staff=staff, previous_roles=previous, updated_at=now)


@transaction.atomic
def staff_set_active(*, actor: StaffIdentity, email: str, active: bool) -> Staff:
    """Deactivate (or reactivate) a staff member: no sign-in, no token, item kept for history."""
    staff = _target(email, actor)
    was_active = staff.is_active
    staff.update(actions=[Staff.is_active.set(active), Staff.updated_at.set(clock.epoch_now())])
    audit.record(actor, "staff.active", "staff", staff.user_id, changes={"isActive": [was_active, active]})
    user = _login_for(staff.user_email)
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        Token.objects.filter(user=user).delete()
    transaction.on_commit(caches.staff_changed)  # the mechanics list reads the committed logins
    _tell_sockets(staff)
    return staff


def staff_issue_token(*, user: User) -> str:
    """The API token of an active staff login: the current one, or a new one once it has expired."""
    token = Token.objects.filter(user=user).first()
    if token is not None and token_is_current(token):
        return token.key
    Token.objects.filter(user=user).delete()
    token, _ = Token.objects.get_or_create(user=user)  # two sign-ins at once get the same new token
    return token.key


def revoke_tokens_on_password_change(sender: Any, instance: AbstractUser, update_fields: Any = None, **kw: Any) -> None:
    """pre_save of the user model: a new password (own change, admin reset) ends every API token.

    Hooked to the save itself, so every way of setting a password is covered: the portal's
    password change page, ``createstaff``, ``staff_save`` and ``changepassword``.
    """
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = type(instance).objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        Token.objects.filter(user_id=instance.pk).delete()


def staff_rotate_calendar_feed(*, actor: StaffIdentity) -> int:
    """Give ``actor``'s calendar feed a new version: the link signed with the old one stops working.
    An atomic ADD, so two rotations never hand out the same version."""
    staff = staff_get(actor.email)
    if staff is None:
        raise NotFound("Staff member not found")
    before = staff.calendar_feed_version or 0
    staff.update(
        actions=[Staff.calendar_feed_version.add(1), Staff.updated_at.set(clock.epoch_now())],
        condition=Staff.user_email.exists(),
    )
    after = staff.calendar_feed_version or 0
    audit.record(actor, "staff.calendar_feed", "staff", staff.user_id, changes={"calendarFeedVersion": [before, after]})
    return after
