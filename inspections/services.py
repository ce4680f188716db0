"""Filling in an inspection: start, item answers, photos, the header (vehicle facts, verdict,
summary) and submit. Every write is conditional (docs/inspections.md, "Rules"): two devices never
overwrite each other silently, and nothing changes once submitted.

Who: INSPECTION_FILL; a mechanic only on the jobs assigned to them. When: the appointment is
SCHEDULED or ONGOING, checked again inside each write's transaction (a condition check on the
appointment), so a job cancelled or reassigned meanwhile refuses the write.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.expressions.condition import Condition, size
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from autolab import audit, clock, storage
from autolab.dynamodb import conflicted, failed_conditions, transaction
from autolab.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from autolab.permissions import Permission, StaffIdentity
from autolab.vehicle_ids import clean_registration, clean_vin
from bookings.models import Appointment, AppointmentStatus
from bookings.vehicles import appointment_vehicle_record
from inspections import photos, selectors, tasks
from inspections.models import Inspection, InspectionItem, InspectionTemplate, ItemPhoto, TemplateItem
from inspections.types import MAX_PHOTOS_PER_ITEM, InspectionStatus, ItemKind, Rating, Verdict

logger = logging.getLogger(__name__)
FILLABLE = (AppointmentStatus.SCHEDULED.value, AppointmentStatus.ONGOING.value)
TEXT_LONGEST = 2000
SUMMARY_LONGEST = 5000
VALUE_LIMIT = Decimal(1_000_000)
ODOMETER_LIMIT = 3_000_000
PHOTO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")
RECORD_TYPE = "inspection"
# Positions of a fill transaction's items as PynamoDB sends them: condition checks, then updates.
APPOINTMENT_AT, INSPECTION_AT, ITEM_AT = 0, 1, 2
BUSY_ATTEMPTS = 5


class StaleItem(Conflict):
    """A save based on an item version that is no longer the stored one; carries the stored item."""

    def __init__(self, message: str, item: InspectionItem | None) -> None:
        super().__init__(message)
        self.item = item


class StaleInspection(Conflict):
    """A header write or submit based on an old inspection version; carries the stored one."""

    def __init__(self, message: str, inspection: Inspection | None) -> None:
        super().__init__(message)
        self.inspection = inspection


class Incomplete(ValidationError):
    """Submit refused: what is still missing (item ids, and verdict/summary)."""

    def __init__(self, missing: list[str], fields: list[str]) -> None:
        parts = []
        if missing:
            parts.append(f"{len(missing)} item{'s' if len(missing) != 1 else ''} not answered yet")
        if fields:
            parts.append(f"{' and '.join(fields)} missing")
        super().__init__("Cannot submit: " + "; ".join(parts), {"missing": missing, "missingFields": fields})
        self.missing = missing


@dataclass(frozen=True)
class ItemAnswer:
    rating: Rating | None = None
    value: Decimal | None = None
    text: str | None = None


@dataclass(frozen=True)
class InspectionChanges:
    """Header fields a PATCH gives; ``given`` names them (a given None clears the field)."""

    given: frozenset[str]
    odometer: int | None = None
    vin: str | None = None
    registration: str | None = None
    verdict: Verdict | None = None
    summary: str | None = None


@dataclass(frozen=True)
class Started:
    inspection: Inspection
    created: bool


@dataclass(frozen=True)
class PhotoAdded:
    photo: ItemPhoto
    item: InspectionItem
    created: bool


@dataclass
class _Fill:
    """The job a fill write is about, as read (one BatchGetItem) and checked."""

    appointment: Appointment
    inspection: Inspection | None
    restricted_to: str | None  # the mechanic's user id when the actor may fill their own jobs only
    item: InspectionItem | None = None


# --- Who and when ----------------------------------------------------------------------------------


def _job(actor: StaffIdentity, appointment_id: str, item_id: str | None = None) -> _Fill:
    if not actor.has(Permission.INSPECTION_FILL):
        raise PermissionDenied("Only admins and the assigned mechanic can fill in inspections")
    job = selectors.job_get(appointment_id)
    if job.appointment is None:
        raise NotFound("Appointment not found")
    restricted = None if selectors.fills_any_job(actor) else actor.user_id
    if restricted is not None and job.appointment.assigned_mechanic_id != restricted:
        raise PermissionDenied("Only the mechanic assigned to this job can fill in its inspection")
    fill = _Fill(appointment=job.appointment, inspection=job.inspection, restricted_to=restricted)
    if item_id is not None:
        fill.item = selectors.item_get(appointment_id, item_id)
    return fill


def _check_fillable(appointment: Appointment) -> None:
    if appointment.status not in FILLABLE:
        raise Conflict(
            f"The appointment is {appointment.status}: inspections are filled in on scheduled or ongoing jobs"
        )


def _open_inspection(fill: _Fill) -> Inspection:
    _check_fillable(fill.appointment)
    if fill.inspection is None:
        raise NotFound("No inspection has been started for this appointment")
    if fill.inspection.status != InspectionStatus.IN_PROGRESS:
        raise Conflict("This inspection has been submitted; it can no longer change")
    return fill.inspection


def _appointment_condition(fill: _Fill) -> Condition:
    condition = Appointment.status.is_in(*FILLABLE)
    if fill.restricted_to is not None:
        condition &= Appointment.assigned_mechanic_id == fill.restricted_to
    return condition


def _refusal(fill: _Fill, error: BaseException) -> Exception:
    """Why a fill transaction was refused by the appointment's or the inspection's condition."""
    failed = failed_conditions(error)
    if APPOINTMENT_AT in failed:
        job = selectors.job_get(fill.appointment.appointment_id)
        if job.appointment is None:
            return NotFound("Appointment not found")
        if fill.restricted_to is not None and job.appointment.assigned_mechanic_id != fill.restricted_to:
            return PermissionDenied("This job has been assigned to another mechanic")
        return Conflict(f"The appointment is {job.appointment.status}: the inspection can no longer change")
    stored = selectors.inspection_get(fill.appointment.appointment_id, consistent_read=True)
    if stored is not None and stored.status != InspectionStatus.IN_PROGRESS:
        return Conflict("This inspection has been submitted; it can no longer change")
    return StaleInspection("The inspection changed on another device; reload it", stored)


def _commit(build: Callable[[TransactWrite], None]) -> None:
    """Run one fill transaction; a collision with a concurrent transaction on the same inspection
    (no condition failed) is tried again, a failed condition is the caller's to explain."""
    for attempt in range(BUSY_ATTEMPTS):
        try:
            with transaction() as writer:
                build(writer)
        except TransactWriteError as error:
            if failed_conditions(error) or not conflicted(error) or attempt + 1 == BUSY_ATTEMPTS:
                raise
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
        else:
            return


def _guarded(writer: TransactWrite, fill: _Fill, inspection_condition: Condition) -> None:
    """The appointment's condition check and the inspection's ``itemWrites`` bump (positions 0, 1)."""
    appointment_id = fill.appointment.appointment_id
    writer.condition_check(Appointment, appointment_id, condition=_appointment_condition(fill))
    writer.update(
        Inspection(appointment_id=appointment_id),
        actions=[Inspection.item_writes.add(1)],
        condition=inspection_condition,
    )


def _in_progress() -> Condition:
    return Inspection.status == InspectionStatus.IN_PROGRESS.value


# --- Start -----------------------------------------------------------------------------------------


def inspection_start(*, actor: StaffIdentity, appointment_id: str) -> Started:
    """Start the appointment's inspection on the latest version of its plan's checklist, once: a
    second start (or a racing one) answers the inspection that exists."""
    fill = _job(actor, appointment_id)
    if fill.inspection is not None:
        return Started(fill.inspection, created=False)
    _check_fillable(fill.appointment)
    appointment = fill.appointment
    template = selectors.template_for_plan(appointment.service_id, appointment.plan_id)
    if template is None:
        raise ValidationError("This appointment's service plan has no inspection checklist")
    now = clock.epoch_now()
    inspection = Inspection(
        appointment_id=appointment.appointment_id,
        template_id=template.template_id,
        template_version=template.version,
        template_name=template.name or "",
        status=InspectionStatus.IN_PROGRESS.value,
        submission=0,
        mechanic_id=appointment.assigned_mechanic_id,
        started_by=actor.user_id,
        started_at=now,
        vin=appointment.vin or None,
        registration=appointment.registration or None,
        updated_at=now,
        updated_by=actor.user_id,
        version=1,
        item_writes=0,
    )
    try:
        with transaction() as writer:
            writer.condition_check(Appointment, appointment_id, condition=_appointment_condition(fill))
            writer.save(inspection, condition=Inspection.appointment_id.does_not_exist())
    except TransactWriteError as error:
        if INSPECTION_AT in failed_conditions(error) or not failed_conditions(error):
            existing = selectors.inspection_get(appointment_id, consistent_read=True)
            if existing is not None:
                return Started(existing, created=False)
        if failed_conditions(error):
            raise _refusal(fill, error) from error
        raise
    audit.record(
        actor,
        "inspection.start",
        RECORD_TYPE,
        appointment_id,
        changes={"templateVersion": [None, f"{template.template_id} v{template.version}"]},
    )
    return Started(inspection, created=True)


# --- Item answers ----------------------------------------------------------------------------------


def _template_item(inspection: Inspection, item_id: str) -> TemplateItem:
    template = selectors.template_version(inspection.template_id, inspection.template_version)
    item = selectors.template_items(template).get(item_id) if template is not None else None
    if item is None:
        raise NotFound("No such item in this inspection's checklist")
    return item


def _clean_answer(item: TemplateItem, answer: ItemAnswer) -> ItemAnswer:
    if answer.value is not None:
        if item.kind != ItemKind.MEASUREMENT:
            raise ValidationError("Only measurement items take a value")
        if not answer.value.is_finite() or abs(answer.value) >= VALUE_LIMIT:
            raise ValidationError(f"The value must be a number below {VALUE_LIMIT:,}")
    text = (answer.text or "").strip()
    if len(text) > TEXT_LONGEST:
        raise ValidationError(f"The text must be at most {TEXT_LONGEST} characters")
    return ItemAnswer(rating=answer.rating, value=answer.value, text=text or None)


def _answer_actions(answer: ItemAnswer, version: int, actor: StaffIdentity) -> list[Action]:
    actions: list[Action] = [
        InspectionItem.version.set(version + 1),
        InspectionItem.updated_by.set(actor.user_id),
        InspectionItem.updated_at.set(clock.epoch_now()),
    ]
    fields: list[tuple[Any, Any]] = [
        (InspectionItem.rating, answer.rating.value if answer.rating else None),
        (InspectionItem.value, answer.value),
        (InspectionItem.text, answer.text),
    ]
    for attribute, value in fields:
        actions.append(attribute.remove() if value is None else attribute.set(value))
    return actions


def _version_condition(version: int) -> Condition:
    if version == 0:  # never saved: absent, or created by a photo (version 0)
        return InspectionItem.version.does_not_exist() | (InspectionItem.version == 0)
    return InspectionItem.version == version


def _answer_of(item: InspectionItem | None) -> dict[str, Any]:
    if item is None:
        return {}
    return {"rating": item.rating, "value": str(item.value) if item.value is not None else None, "text": item.text}


def item_save(
    *,
    actor: StaffIdentity,
    appointment_id: str,
    item_id: str,
    template_version: int,
    version: int,
    answer: ItemAnswer,
) -> InspectionItem:
    """Save one item's answer, conditioned on the checklist version and the item version the device
    last saw (0 = never saved); a stale save raises StaleItem carrying the stored item."""
    fill = _job(actor, appointment_id, item_id)
    inspection = _open_inspection(fill)
    if inspection.template_version != template_version:
        raise StaleItem(
            f"This inspection uses checklist version {inspection.template_version}, not {template_version}; reload it",
            fill.item,
        )
    answer = _clean_answer(_template_item(inspection, item_id), answer)
    if version < 0:
        raise ValidationError("version must be 0 or more")

    def build(writer: TransactWrite) -> None:
        _guarded(writer, fill, _in_progress() & (Inspection.template_version == template_version))
        writer.update(
            InspectionItem(appointment_id=appointment_id, item_id=item_id),
            actions=_answer_actions(answer, version, actor),
            condition=_version_condition(version),
        )

    try:
        _commit(build)
    except TransactWriteError as error:
        failed = failed_conditions(error)
        if ITEM_AT in failed and not {APPOINTMENT_AT, INSPECTION_AT} & failed:
            raise StaleItem(
                "Another device saved this item first; its answer is shown beside yours",
                selectors.item_get(appointment_id, item_id),
            ) from error
        if failed:
            raise _refusal(fill, error) from error
        raise
    saved = _stored_item(appointment_id, item_id)
    audit.record(
        actor, "inspection.item_save", RECORD_TYPE, appointment_id, _keyed(item_id, fill.item), _keyed(item_id, saved)
    )
    return saved


def _stored_item(appointment_id: str, item_id: str) -> InspectionItem:
    """The item just written, read back strongly consistent (items are never deleted)."""
    stored = selectors.item_get(appointment_id, item_id)
    if stored is None:
        raise NotFound("No such item in this inspection")
    return stored


def _keyed(item_id: str, item: InspectionItem | None) -> dict[str, Any]:
    return {f"{item_id}.{name}": value for name, value in _answer_of(item).items()}


# --- Photos ----------------------------------------------------------------------------------------


def _photo_of(item: InspectionItem | None, photo_id: str) -> ItemPhoto | None:
    return next((photo for photo in (item.photos or []) if photo.photo_id == photo_id), None) if item else None


def _photo_count(item: InspectionItem | None) -> int:
    return len(item.photo_ids or ()) if item is not None else 0


def photo_add(*, actor: StaffIdentity, appointment_id: str, item_id: str, photo_id: str, data: bytes) -> PhotoAdded:
    """Add a photo to an item: upright, ≤ 1600 px JPEG without EXIF/GPS, plus a 400 px thumbnail, at
    most 10 per item (the write's condition). The client's ``photoId`` makes a retry store it once."""
    if not isinstance(photo_id, str) or not PHOTO_ID.fullmatch(photo_id):
        raise ValidationError("photoId must be 1 to 64 letters, digits and dashes")
    fill = _job(actor, appointment_id, item_id)
    inspection = _open_inspection(fill)
    _template_item(inspection, item_id)
    existing = _photo_of(fill.item, photo_id)
    if existing is not None and fill.item is not None:
        return PhotoAdded(existing, fill.item, created=False)
    if _photo_count(fill.item) >= MAX_PHOTOS_PER_ITEM:
        raise ValidationError(f"An item has at most {MAX_PHOTOS_PER_ITEM} photos")
    processed = photos.process(data)
    base = f"inspections/{appointment_id}/{item_id}/{photo_id}-{processed.short_digest}"
    photo = ItemPhoto(
        photo_id=photo_id,
        key=f"{base}.jpg",
        thumb_key=f"{base}-thumb.jpg",
        width=processed.width,
        height=processed.height,
        added_at=clock.epoch_now(),
        added_by=actor.user_id,
    )
    storage.save(photo.key, processed.image, "image/jpeg")
    storage.save(photo.thumb_key, processed.thumbnail, "image/jpeg")
    ids = InspectionItem.photo_ids
    room = ids.does_not_exist() | (~ids.contains(photo_id) & (size(ids) < MAX_PHOTOS_PER_ITEM))

    def build(writer: TransactWrite) -> None:
        _guarded(writer, fill, _in_progress())
        writer.update(
            InspectionItem(appointment_id=appointment_id, item_id=item_id),
            actions=[
                InspectionItem.photos.set((InspectionItem.photos | []).append([photo])),
                ids.add({photo_id}),
                InspectionItem.version.set(InspectionItem.version | 0),
            ],
            condition=room,
        )

    try:
        _commit(build)
    except TransactWriteError as error:
        failed = failed_conditions(error)
        if ITEM_AT in failed and not {APPOINTMENT_AT, INSPECTION_AT} & failed:
            stored = selectors.item_get(appointment_id, item_id)
            raced = _photo_of(stored, photo_id)
            if raced is not None and stored is not None:  # the same upload, retried meanwhile
                return PhotoAdded(raced, stored, created=False)
            raise ValidationError(f"An item has at most {MAX_PHOTOS_PER_ITEM} photos") from error
        if failed:
            raise _refusal(fill, error) from error
        raise
    saved = _stored_item(appointment_id, item_id)
    before = _photo_count(fill.item)
    audit.record(
        actor, "inspection.photo_add", RECORD_TYPE, appointment_id, changes={f"{item_id}.photos": [before, before + 1]}
    )
    return PhotoAdded(photo, saved, created=True)


def photo_delete(*, actor: StaffIdentity, appointment_id: str, item_id: str, photo_id: str) -> InspectionItem:
    """Remove one photo from an item (the entry at the position read, if it still holds that id)."""
    fill = _job(actor, appointment_id, item_id)
    _open_inspection(fill)
    for _ in range(BUSY_ATTEMPTS):
        photos_now = list(fill.item.photos or []) if fill.item is not None else []
        index = next((at for at, photo in enumerate(photos_now) if photo.photo_id == photo_id), None)
        if index is None:
            raise NotFound("Photo not found")
        try:
            _commit(_photo_removal(fill, item_id, photo_id, index))
        except TransactWriteError as error:
            failed = failed_conditions(error)
            if failed != {ITEM_AT}:
                if failed:
                    raise _refusal(fill, error) from error
                raise
            fill.item = selectors.item_get(appointment_id, item_id)  # the list moved: find it again
            continue
        saved = _stored_item(appointment_id, item_id)
        count = len(photos_now)
        audit.record(
            actor,
            "inspection.photo_delete",
            RECORD_TYPE,
            appointment_id,
            changes={f"{item_id}.photos": [count, count - 1]},
        )
        return saved
    raise Conflict("The item's photos kept changing; try again")


def _photo_removal(fill: _Fill, item_id: str, photo_id: str, at: int) -> Callable[[TransactWrite], None]:
    def build(writer: TransactWrite) -> None:
        _guarded(writer, fill, _in_progress())
        writer.update(
            InspectionItem(appointment_id=fill.appointment.appointment_id, item_id=item_id),
            actions=[InspectionItem.photos[at].remove(), InspectionItem.photo_ids.delete({photo_id})],
            # PynamoDB types a list element as a Path; it is the ItemPhoto attribute at that position.
            condition=InspectionItem.photos[at].photo_id == photo_id,  # type: ignore[attr-defined]
        )

    return build


# --- Header and submit -----------------------------------------------------------------------------


HEADER_FIELDS = ("odometer", "vin", "registration", "verdict", "summary")


def _header_values(changes: InspectionChanges) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in changes.given:
        if name not in HEADER_FIELDS:
            raise ValidationError(f"Unknown field {name}")
    if "odometer" in changes.given:
        odometer = changes.odometer
        if odometer is not None and not 0 <= odometer <= ODOMETER_LIMIT:
            raise ValidationError("The odometer reading must be between 0 and 3,000,000 km")
        values["odometer"] = odometer
    if "vin" in changes.given:
        values["vin"] = clean_vin(changes.vin) or None
    if "registration" in changes.given:
        values["registration"] = clean_registration(changes.registration) or None
    if "verdict" in changes.given:
        values["verdict"] = changes.verdict.value if changes.verdict else None
    if "summary" in changes.given:
        summary = (changes.summary or "").strip()
        if len(summary) > SUMMARY_LONGEST:
            raise ValidationError(f"The summary must be at most {SUMMARY_LONGEST} characters")
        values["summary"] = summary or None
    return values


def _stale_inspection(inspection: Inspection, version: int) -> None:
    if inspection.version != version:
        raise StaleInspection(
            f"The inspection is at version {inspection.version}, not {version}: it changed on another device",
            inspection,
        )


def _fresh(appointment_id: str) -> Inspection:
    stored = selectors.inspection_get(appointment_id, consistent_read=True)
    if stored is None:  # inspections are never deleted
        raise NotFound("No inspection has been started for this appointment")
    return stored


def inspection_update(
    *, actor: StaffIdentity, appointment_id: str, version: int, changes: InspectionChanges
) -> Inspection:
    """Change the header (odometer, VIN, registration, verdict, summary), conditioned on the
    inspection version the device saw; a stale one raises StaleInspection with the stored one."""
    fill = _job(actor, appointment_id)
    inspection = _open_inspection(fill)
    values = _header_values(changes)
    _stale_inspection(inspection, version)
    now = clock.epoch_now()
    actions: list[Action] = [
        Inspection.version.set(version + 1),
        Inspection.updated_at.set(now),
        Inspection.updated_by.set(actor.user_id),
    ]
    for name, value in values.items():
        attribute = getattr(Inspection, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    try:
        with transaction() as writer:
            writer.condition_check(Appointment, appointment_id, condition=_appointment_condition(fill))
            writer.update(
                Inspection(appointment_id=appointment_id),
                actions=actions,
                condition=_in_progress() & (Inspection.version == version),
            )
    except TransactWriteError as error:
        if failed_conditions(error):
            raise _refusal(fill, error) from error
        if conflicted(error):
            raise StaleInspection(
                "The inspection changed on another device; reload it", _fresh(appointment_id)
            ) from error
        raise
    stored = _fresh(appointment_id)
    if {"vin", "registration"} & values.keys():
        _vehicle_follows(actor, fill.appointment, stored)
    before = audit.snapshot(inspection, only=_stored_names(values))
    audit.record(
        actor,
        "inspection.update",
        RECORD_TYPE,
        appointment_id,
        before,
        audit.snapshot(stored, only=_stored_names(values)),
    )
    return stored


def _vehicle_follows(actor: StaffIdentity, appointment: Appointment, inspection: Inspection) -> None:
    """The VIN and registration read off the car become the appointment's, so the vehicle's page
    and the search know the car by them (#18.3: captured in the inspection)."""
    registration, vin = inspection.registration or "", inspection.vin or ""
    if (registration, vin) != (appointment.registration or "", appointment.vin or ""):
        appointment_vehicle_record(actor=actor, appointment=appointment, registration=registration, vin=vin)


def _stored_names(values: dict[str, Any]) -> tuple[str, ...]:
    return tuple(getattr(Inspection, name).attr_name for name in values)


def is_answered(template_item: TemplateItem, item: InspectionItem | None) -> bool:
    """The item's kind is answered: rating chosen, value given, text given, or ≥ 1 photo."""
    if item is None:
        return False
    kind = ItemKind(template_item.kind)
    if kind == ItemKind.RATING:
        return bool(item.rating)
    if kind == ItemKind.MEASUREMENT:
        return item.value is not None
    if kind == ItemKind.TEXT:
        return bool((item.text or "").strip())
    return bool(item.photos)


def missing_items(template: InspectionTemplate, items: dict[str, InspectionItem]) -> list[str]:
    """Ids of the checklist's items not answered yet, in checklist order."""
    return [
        item_id
        for item_id, entry in selectors.template_items(template).items()
        if not is_answered(entry, items.get(item_id))
    ]


def inspection_submit(*, actor: StaffIdentity, appointment_id: str, version: int) -> Inspection:
    """Lock the inspection (in_progress → submitted, ``submission`` + 1) once every item is answered
    and verdict and summary are given; else Incomplete lists what is missing."""
    fill = _job(actor, appointment_id)
    inspection = _open_inspection(fill)
    _stale_inspection(inspection, version)
    template = selectors.template_version(inspection.template_id, inspection.template_version)
    if template is None:
        raise Conflict("This inspection's checklist version is missing")
    missing = missing_items(template, selectors.items_of(appointment_id, consistent_read=True))
    fields = [name for name in ("verdict", "summary") if not getattr(inspection, name)]
    if missing or fields:
        raise Incomplete(missing, fields)
    now = clock.epoch_now()
    condition = _in_progress() & (Inspection.version == version) & (Inspection.item_writes == inspection.item_writes)
    try:
        with transaction() as writer:
            writer.condition_check(Appointment, appointment_id, condition=_appointment_condition(fill))
            writer.update(
                Inspection(appointment_id=appointment_id),
                actions=[
                    Inspection.status.set(InspectionStatus.SUBMITTED.value),
                    Inspection.submission.add(1),
                    Inspection.submitted_at.set(now),
                    Inspection.submitted_by.set(actor.user_id),
                    Inspection.version.set(version + 1),
                    Inspection.updated_at.set(now),
                    Inspection.updated_by.set(actor.user_id),
                ],
                condition=condition,
            )
    except (TransactWriteError, PynamoDBException) as error:
        if not conflicted(error):
            raise
        if APPOINTMENT_AT in failed_conditions(error):
            raise _refusal(fill, error) from error
        stored = _fresh(appointment_id)
        if stored.status != InspectionStatus.IN_PROGRESS:
            raise Conflict("This inspection has already been submitted") from error
        raise StaleInspection("An answer changed while submitting; check it and submit again", stored) from error
    stored = _fresh(appointment_id)
    audit.record(
        actor,
        "inspection.submit",
        RECORD_TYPE,
        appointment_id,
        changes={
            "status": [InspectionStatus.IN_PROGRESS.value, stored.status],
            "submission": [inspection.submission, stored.submission],
        },
    )
    _queue_report(appointment_id, stored.submission)
    return stored


def _queue_report(appointment_id: str, submission: int) -> None:
    """Queue the PDF render; a lost enqueue is picked up by ``report_reconcile_task``."""
    try:
        tasks.report_render_task.delay(appointment_id, submission)
    except Exception:
        logger.exception("Could not queue the report of inspection %s (the reconciler will)", appointment_id)
