from __future__ import annotations

from dataclasses import dataclass

import pytest

from autolab import workflow
from autolab.exceptions import NotFound, PermissionDenied, ValidationError
from autolab.permissions import Permission, Role, StaffIdentity
from autolab.workflow import FieldGroup, Owner, PaymentStatus, Transitions, TransitionTable
from bookings.models import AppointmentStatus


@dataclass
class Record:
    status: str
    assigned_mechanic_id: str | None = None


def staff(*roles: Role, user_id: str = "staff-1") -> StaffIdentity:
    return StaffIdentity(user_id=user_id, email=f"{user_id}@autolab.test", name=user_id, roles=frozenset(roles))


TRANSITIONS = Transitions(
    (
        TransitionTable(Permission.ORDER_STATUS_SUPPORT, {"A": frozenset({"B"}), "B": frozenset({"A"})}),
        TransitionTable(Permission.ORDER_STATUS_ASSIGNED, {"B": frozenset({"C"})}, assigned_only=True),
    )
)


def test_support_moves_by_its_table_on_any_record() -> None:
    support = staff(Role.CUSTOMER_SUPPORT)

    assert TRANSITIONS.allowed(support, Record("A")) == {"B"}
    assert TRANSITIONS.allowed(support, Record("C")) == set()
    assert TRANSITIONS.may_change(support, Record("C"))


def test_the_assigned_table_counts_only_on_the_actors_own_records() -> None:
    mechanic = staff(Role.MECHANIC, user_id="m-1")

    assert TRANSITIONS.allowed(mechanic, Record("B", "m-1")) == {"C"}
    assert TRANSITIONS.allowed(mechanic, Record("B", "m-2")) == set()
    assert not TRANSITIONS.may_change(mechanic, Record("B", "m-2"))
    assert not TRANSITIONS.may_change(mechanic, Record("B", None))


def test_an_actor_holding_both_tables_gets_their_union() -> None:
    both = staff(Role.CUSTOMER_SUPPORT, Role.MECHANIC, user_id="m-1")

    assert TRANSITIONS.allowed(both, Record("B", "m-1")) == {"A", "C"}


def test_nobody_without_a_table_may_change_a_status() -> None:
    clerk = staff(Role.CLERK)

    assert TRANSITIONS.allowed(clerk, Record("A")) == set()
    assert not TRANSITIONS.may_change(clerk, Record("A"))


GROUPS = (
    FieldGroup("details", frozenset({"notes", "carData"}), workflow.holding(Permission.ORDER_EDIT), "no details"),
    FieldGroup("status", frozenset({"status"}), TRANSITIONS.may_change, "no status"),
    FieldGroup("notes", frozenset({"postNotes"}), workflow.holding(Permission.ORDER_NOTES_WRITE), "no notes"),
    FieldGroup("notes", frozenset({"postNotes"}), lambda actor, record: record.status != "C", "not now"),
)


def test_every_touched_group_is_authorised_and_the_first_refusal_answers() -> None:
    clerk = staff(Role.CLERK)

    workflow.authorise(GROUPS, clerk, Record("A"), {"postNotes"})
    with pytest.raises(PermissionDenied) as refused:
        workflow.authorise(GROUPS, clerk, Record("A"), {"postNotes", "status", "notes"})
    assert refused.value.message == "no details"


def test_a_group_can_carry_two_rules_checked_in_order() -> None:
    support = staff(Role.CUSTOMER_SUPPORT)

    with pytest.raises(PermissionDenied) as refused:
        workflow.authorise(GROUPS, support, Record("C"), {"postNotes"})
    assert refused.value.message == "not now"


def test_untouched_groups_are_not_checked() -> None:
    workflow.authorise(GROUPS, staff(), Record("A"), {"unknown"})


def test_groups_touched_are_named_once_in_declaration_order() -> None:
    assert workflow.groups_touched(GROUPS, {"postNotes", "carData", "status"}) == ["details", "status", "notes"]
    assert workflow.groups_touched(GROUPS, {"other"}) == []


def _owner(actor: StaffIdentity | None, user_id: str | None) -> Owner:
    return workflow.owner_of(
        actor,
        user_id,
        is_customer=lambda value: value == "customer-1",
        is_staff=lambda value: value == "staff-2",
        not_found="nobody",
    )


def test_a_customers_own_record_counts_and_is_limited() -> None:
    assert _owner(None, "customer-1") == Owner("customer-1", counted=True, limited=True)
    with pytest.raises(NotFound):
        _owner(None, "stranger")


def test_staff_entering_for_a_customer_counts_on_their_day_without_the_limit() -> None:
    assert _owner(staff(Role.CUSTOMER_SUPPORT), "customer-1") == Owner("customer-1", counted=True, limited=False)


@pytest.mark.parametrize("user_id", [None, "", "staff-1", "staff-2"])
def test_walk_ins_and_staff_ids_are_recorded_against_the_staff_member(user_id: str | None) -> None:
    assert _owner(staff(Role.CUSTOMER_SUPPORT), user_id) == Owner("staff-1", counted=False, limited=False)


def test_an_unknown_id_from_staff_is_not_found() -> None:
    with pytest.raises(NotFound) as missing:
        _owner(staff(Role.CUSTOMER_SUPPORT), "stranger")
    assert missing.value.message == "nobody"


def test_the_requester_is_checked_before_anything_is_read() -> None:
    check = workflow.check_requester
    with pytest.raises(ValidationError, match="userId must be a string"):
        check(None, ["x"], Permission.ORDER_CREATE_FOR_CUSTOMER, "refused")
    with pytest.raises(ValidationError, match="userId is required"):
        check(None, "", Permission.ORDER_CREATE_FOR_CUSTOMER, "refused")
    with pytest.raises(PermissionDenied, match="refused"):
        check(staff(Role.CLERK), "customer-1", Permission.ORDER_CREATE_FOR_CUSTOMER, "refused")
    check(None, "customer-1", Permission.ORDER_CREATE_FOR_CUSTOMER, "refused")
    check(staff(Role.CUSTOMER_SUPPORT), None, Permission.ORDER_CREATE_FOR_CUSTOMER, "refused")


def test_status_of_reads_members_and_refuses_anything_else() -> None:
    assert workflow.status_of(AppointmentStatus, "PENDING") is AppointmentStatus.PENDING
    assert workflow.status_of(PaymentStatus, "paid") is PaymentStatus.PAID
    for value in ("pending", "WHATEVER", None, 3, ["PENDING"]):
        assert workflow.status_of(AppointmentStatus, value) is None


def test_statuses_are_the_stored_strings() -> None:
    assert AppointmentStatus.PENDING == "PENDING"
    assert f"{PaymentStatus.PAID}" == "paid"
    assert "refunded" not in workflow.PAYMENT_FILTER_STATUSES


def test_statuses_are_offered_in_the_order_a_record_moves_through_them() -> None:
    offered = workflow.in_workflow_order(AppointmentStatus, {"COMPLETED", "ONGOING", "SCHEDULED"})
    assert offered == [AppointmentStatus.SCHEDULED, AppointmentStatus.ONGOING, AppointmentStatus.COMPLETED]
    assert workflow.in_workflow_order(AppointmentStatus, set()) == []
