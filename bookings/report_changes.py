"""A staff PATCH of an appointment's reports: an admin's review of one report, and edits of the
report list and post-inspection notes. Each returns what to write; bookings.updates writes it with
the rest of the change, in one atomic update."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from pynamodb.expressions.update import Action

from autolab import clock, storage
from autolab.exceptions import ValidationError
from autolab.permissions import StaffIdentity
from bookings.models import REVIEW_AWAITING, Appointment
from bookings.types import AppointmentChanges, ReportEdit, ReportReview

# What a report edit never changes: the review and the upload facts recorded by autolab itself.
REVIEW_FIELDS = (
    "reviewed",
    "approved",
    "reviewedBy",
    "reviewedAt",
    "reviewNotes",
    "status",
    "uploadedAt",
    "fileSize",
    "fileType",
    "uploadType",
)


@dataclass
class ReportChange:
    """The update actions of a report change, its email labels, and the report it approved."""

    actions: list[Action] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    approved: dict[str, Any] | None = None


def report_file_key(report: dict[str, Any]) -> str | None:
    """The file a report's links serve: once approved, the copy made at approval (``review``)."""
    return report.get("approvedKey") or report.get("s3Key") or report.get("fileKey")


def is_awaiting_review(report: dict[str, Any]) -> bool:
    """Uploaded (its file is there) and no admin has approved or rejected it yet."""
    return report.get("status") == "uploaded" and not report.get("reviewed")


def awaiting_actions() -> list[Action]:
    """Put the appointment on the review queue (sparse ``reviewQueue-reviewSinceMs-index``); one
    already on it keeps its place (waiting since its first report arrived)."""
    return [
        Appointment.review_queue.set(REVIEW_AWAITING),
        Appointment.review_since_ms.set(Appointment.review_since_ms | int(time.time() * 1000)),
    ]


def queue_actions(reports: list[dict[str, Any]]) -> list[Action]:
    """On the review queue while one of ``reports`` (the list as it will be stored) awaits review;
    off it once none does."""
    if any(is_awaiting_review(report) for report in reports):
        return awaiting_actions()
    return [Appointment.review_queue.remove(), Appointment.review_since_ms.remove()]


def find_report(reports: list[dict[str, Any]], key: str) -> dict[str, Any] | None:
    return next((r for r in reports if (r.get("s3Key") or r.get("fileKey")) == key), None)


def review(actor: StaffIdentity, appointment: Appointment, verdict: ReportReview) -> ReportChange:
    """Approve or reject one uploaded report, once; an approved one is copied."""
    key, action = verdict.key, verdict.action
    reports = [dict(r) for r in appointment.reports or []]
    report = find_report(reports, key)
    if report is None:
        raise ValidationError(f"Report {key[:200]} not found on this appointment")
    if report.get("reviewed"):
        raise ValidationError("Report has already been reviewed")
    report.update(
        reviewed=True,
        approved=action == "approve",
        reviewedBy=actor.user_id,
        reviewedAt=clock.epoch_now(),
        status="uploaded",
    )
    if verdict.notes:
        report["reviewNotes"] = verdict.notes
    if action == "approve":
        report["approvedKey"] = _approved_copy(appointment.appointment_id, key)
    actions = [Appointment.reports.set(reports), *queue_actions(reports)]
    return ReportChange(actions, ["Report review"], report if action == "approve" else None)


def _approved_copy(appointment_id: str, key: str) -> str:
    """Copy the uploaded report to a key no upload link targets; customers are served the copy, so
    nothing sent to the upload link later (an S3-compatible store may ignore If-None-Match) reaches them."""
    copy = f"reports/{appointment_id}/approved/{uuid.uuid4().hex[:8]}_{PurePosixPath(key).name}"
    try:
        storage.copy(key, copy)
    except storage.StorageError as error:
        raise ValidationError("The report file has not been uploaded yet") from error
    return copy


def edits(appointment: Appointment, changes: AppointmentChanges) -> ReportChange:
    """A new report list and post-inspection notes."""
    change = ReportChange()
    if changes.reports is not None:
        reports = _merged_reports(appointment, changes.reports)
        change.actions += [Appointment.reports.set(reports), *queue_actions(reports)]
        change.labels.append("Reports")
    if changes.post_notes is not None:
        change.actions.append(Appointment.post_notes.set(changes.post_notes))
        change.labels.append("Post-inspection notes")
    return change


def _merged_reports(appointment: Appointment, edits: tuple[ReportEdit, ...]) -> list[dict[str, Any]]:
    """The new report list; only reports issued by upload-urls, keeping their review and upload facts."""
    existing = [dict(r) for r in appointment.reports or []]
    return [_merged_report(existing, position, edit) for position, edit in enumerate(edits)]


def _merged_report(existing: list[dict[str, Any]], position: int, edit: ReportEdit) -> dict[str, Any]:
    stored = find_report(existing, edit.key)
    if stored is None:
        raise ValidationError(f"reports[{position}].s3Key is not a report of this appointment")
    report = {**stored, "s3Key": edit.key, "fileName": edit.file_name}
    if edit.report_notes is not None:
        report["reportNotes"] = edit.report_notes
    report.pop("fileKey", None)
    report.update({name: stored[name] for name in REVIEW_FIELDS if name in stored})
    return report
