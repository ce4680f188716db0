from __future__ import annotations

from decimal import Decimal

import pytest

from autolab import audit
from autolab.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from inspections import selectors, services
from inspections.models import Inspection, InspectionItem
from inspections.services import InspectionChanges, ItemAnswer
from inspections.types import InspectionStatus, Rating, Verdict
from tests.inspections.conftest import jpeg


def start(persona, appointment_id):
    return services.inspection_start(actor=persona.identity, appointment_id=appointment_id)


def save(persona, appointment_id, item_id, version=0, template_version=1, **answer):
    return services.item_save(
        actor=persona.identity,
        appointment_id=appointment_id,
        item_id=item_id,
        template_version=template_version,
        version=version,
        answer=ItemAnswer(**answer),
    )


def answer_everything(persona, appointment_id, checklist):
    saved = selectors.items_of(appointment_id)
    for item_id, item in selectors.template_items(checklist).items():
        version = saved[item_id].version if item_id in saved else 0
        if item.kind == "rating":
            save(persona, appointment_id, item_id, version, rating=Rating.PASS)
        elif item.kind == "measurement":
            save(persona, appointment_id, item_id, version, value=Decimal("6.5"))
        elif item.kind == "text":
            save(persona, appointment_id, item_id, version, text="Nothing to note")
        else:
            services.photo_add(
                actor=persona.identity,
                appointment_id=appointment_id,
                item_id=item_id,
                photo_id=f"p-{item_id}",
                data=jpeg(64, 48),
            )


def test_start_uses_the_plans_latest_checklist_once(job, mechanic, checklist) -> None:
    first = start(mechanic, job)
    again = start(mechanic, job)
    assert (first.created, again.created) == (True, False)
    inspection = first.inspection
    assert (inspection.template_id, inspection.template_version, inspection.status) == (
        "pre-purchase",
        1,
        "in_progress",
    )
    assert again.inspection.started_at == inspection.started_at
    assert Inspection.get(job).mechanic_id == mechanic.user_id
    assert audit.history("inspection", job).entries[0].action == "inspection.start"


def test_a_mechanic_fills_only_their_own_jobs(make_job, mechanic, make_staff, admin, support) -> None:
    other = make_staff("MECHANIC", name="Other Mechanic")
    theirs = make_job(assigned=other)
    with pytest.raises(PermissionDenied):
        start(mechanic, theirs)
    with pytest.raises(PermissionDenied):
        start(support, theirs)  # customer support does not fill inspections
    assert start(admin, theirs).created is True  # an admin fills any job
    with pytest.raises(PermissionDenied):
        save(mechanic, theirs, "body-03", rating=Rating.PASS)


def test_only_scheduled_or_ongoing_jobs_are_started(anon, mechanic, admin) -> None:
    from chat.services import customer_register
    from tests.inspections.conftest import future_day

    customer = customer_register(user_email="p@example.com", user_name="P").user_id
    booking = {
        "serviceId": 1,
        "planId": 1,
        "isBuyer": True,
        "buyerData": {"name": "P", "email": "p@example.com", "phoneNumber": "+61 412 345 678"},
        "carData": {"make": "Kia", "model": "Rio", "year": 2018, "location": "Perth"},
        "selectedSlots": [{"date": future_day(), "start": "09:00", "end": "11:00", "priority": 1}],
    }
    pending = anon.post("/api/appointments", {"userId": customer, "appointmentData": booking}, format="json")
    with pytest.raises(Conflict, match="PENDING"):
        start(admin, pending.json()["appointmentId"])
    with pytest.raises(NotFound):
        start(admin, "no-such-appointment")


def test_item_saves_are_validated_against_the_kind(job, mechanic) -> None:
    start(mechanic, job)
    with pytest.raises(ValidationError, match="measurement"):
        save(mechanic, job, "body-03", value=Decimal(3))
    with pytest.raises(NotFound):
        save(mechanic, job, "no-such-item", rating=Rating.PASS)
    with pytest.raises(ValidationError, match="2000"):
        save(mechanic, job, "body-09", text="x" * 2001)
    item = save(mechanic, job, "tyres-01", value=Decimal("7.25"), rating=Rating.PASS)
    assert (item.value, item.rating, item.version, item.updated_by) == (Decimal("7.25"), "pass", 1, mechanic.user_id)
    cleared = save(mechanic, job, "tyres-01", version=1, value=None, text="Could not measure")
    assert (cleared.value, cleared.rating, cleared.text, cleared.version) == (None, None, "Could not measure", 2)


def test_a_stale_item_save_is_refused_with_the_stored_item(job, mechanic) -> None:
    start(mechanic, job)
    save(mechanic, job, "body-03", rating=Rating.PASS)
    with pytest.raises(services.StaleItem) as refused:
        save(mechanic, job, "body-03", version=0, rating=Rating.FAIL)
    assert refused.value.status_code == 409
    assert refused.value.item is not None
    assert refused.value.item.rating == "pass"
    with pytest.raises(services.StaleItem, match="checklist version 1"):
        save(mechanic, job, "body-03", version=1, template_version=2, rating=Rating.FAIL)
    assert InspectionItem.get(job, "body-03").rating == "pass"


def test_header_changes_are_versioned_and_normalised(job, mechanic) -> None:
    inspection = start(mechanic, job).inspection
    changes = InspectionChanges(
        given=frozenset({"odometer", "vin", "registration", "verdict"}),
        odometer=123456,
        vin="jtd bz3 fh0 k1234567".replace("k", "K"),
        registration="1abc 234",
        verdict=Verdict.RECOMMENDED,
    )
    updated = services.inspection_update(
        actor=mechanic.identity, appointment_id=job, version=inspection.version, changes=changes
    )
    assert (updated.odometer, updated.vin, updated.registration, updated.verdict, updated.version) == (
        123456,
        "JTDBZ3FH0K1234567",
        "1ABC234",
        "recommended",
        2,
    )
    with pytest.raises(services.StaleInspection) as stale:
        services.inspection_update(
            actor=mechanic.identity,
            appointment_id=job,
            version=1,
            changes=InspectionChanges(given=frozenset({"summary"}), summary="x"),
        )
    assert stale.value.inspection is not None
    assert stale.value.inspection.version == 2
    with pytest.raises(ValidationError, match="VIN"):
        services.inspection_update(
            actor=mechanic.identity,
            appointment_id=job,
            version=2,
            changes=InspectionChanges(given=frozenset({"vin"}), vin="short"),
        )
    assert [i.appointment_id for i in selectors.inspections_for_vin("JTDBZ3FH0K1234567")] == [job]
    entry = audit.history("inspection", job).entries[0]
    assert entry.action == "inspection.update"
    assert entry.changed["odometer"] == [None, 123456]


def test_submit_lists_what_is_missing_then_locks(job, mechanic, checklist) -> None:
    inspection = start(mechanic, job).inspection
    save(mechanic, job, "body-03", rating=Rating.PASS)
    with pytest.raises(services.Incomplete) as incomplete:
        services.inspection_submit(actor=mechanic.identity, appointment_id=job, version=inspection.version)
    all_ids = list(selectors.template_items(checklist))
    assert incomplete.value.missing == [item_id for item_id in all_ids if item_id != "body-03"]
    assert incomplete.value.extra["missingFields"] == ["verdict", "summary"]

    answer_everything(mechanic, job, checklist)
    with pytest.raises(services.Incomplete) as only_header:
        services.inspection_submit(actor=mechanic.identity, appointment_id=job, version=inspection.version)
    assert only_header.value.missing == []
    header = InspectionChanges(
        given=frozenset({"verdict", "summary"}),
        verdict=Verdict.RECOMMENDED_WITH_REPAIRS,
        summary="Sound car; front pads soon.",
    )
    updated = services.inspection_update(
        actor=mechanic.identity, appointment_id=job, version=inspection.version, changes=header
    )
    submitted = services.inspection_submit(actor=mechanic.identity, appointment_id=job, version=updated.version)
    assert (submitted.status, submitted.submission, submitted.submitted_by) == (
        InspectionStatus.SUBMITTED,
        1,
        mechanic.user_id,
    )
    assert submitted.submitted_at is not None
    with pytest.raises(Conflict, match="submitted"):
        save(mechanic, job, "body-03", version=1, rating=Rating.FAIL)
    with pytest.raises(Conflict, match="submitted"):
        services.inspection_submit(actor=mechanic.identity, appointment_id=job, version=submitted.version)
    # The submit queued its report; the tasks run eagerly here, so it is rendered and reported already.
    assert [i.appointment_id for i in Inspection.submitted_index.query("reported")] == [job]
