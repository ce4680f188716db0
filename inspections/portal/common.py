"""What the inspection pages share: their section, the page decorator, and an inspection's results
as the pages show them (sections of items with their answers, the defects first)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.urls import reverse

from autolab import storage
from autolab.exceptions import ApplicationError, NotFound, PermissionDenied
from autolab.permissions import Permission, StaffIdentity
from bookings.models import Appointment
from inspections import selectors
from inspections.models import Inspection, InspectionItem, InspectionTemplate
from inspections.services import is_answered
from inspections.types import ItemKind, Rating, Verdict
from staffapp.sites import portal_site

SECTION = "Inspections"
VIEW = (Permission.APPOINTMENT_VIEW_ALL, Permission.APPOINTMENT_VIEW_ASSIGNED)
FILL = (Permission.INSPECTION_FILL,)
MANAGE = (Permission.INSPECTION_TEMPLATES_MANAGE,)
REVIEW = (Permission.APPOINTMENT_REPORT_APPROVE,)

VERDICTS = {
    Verdict.RECOMMENDED.value: "Recommended",
    Verdict.RECOMMENDED_WITH_REPAIRS.value: "Recommended with repairs",
    Verdict.NOT_RECOMMENDED.value: "Not recommended",
}
RATINGS = {Rating.PASS.value: "Pass", Rating.ATTENTION.value: "Attention", Rating.FAIL.value: "Fail"}
KINDS = {
    ItemKind.RATING.value: "Pass / attention / fail",
    ItemKind.MEASUREMENT.value: "Measurement",
    ItemKind.TEXT.value: "Text",
    ItemKind.PHOTO.value: "Photo",
}


def page(route: str, name: str, title: str, permissions: tuple, *, order: int, in_index: bool = True) -> Any:
    return portal_site.register_page(
        section=SECTION, title=title, route=route, name=name, permissions=permissions, order=order, in_index=in_index
    )


def fill_url(appointment_id: str) -> str:
    return reverse("admin:inspections-fill", kwargs={"appointment_id": appointment_id})


def appointment_url(appointment_id: str) -> str:
    return reverse("admin:bookings-appointment", kwargs={"appointment_id": appointment_id})


def may_fill(staff: StaffIdentity, appointment: Appointment) -> bool:
    """INSPECTION_FILL, and a mechanic only on the jobs assigned to them."""
    if not staff.has(Permission.INSPECTION_FILL):
        return False
    return selectors.fills_any_job(staff) or appointment.assigned_mechanic_id == staff.user_id


def or_http(error: ApplicationError) -> Http404:
    """A read the selectors refused: unknown, or another mechanic's job, is the same 404 as the
    appointment page answers."""
    if isinstance(error, (NotFound, PermissionDenied)):
        return Http404(error.message)
    raise error


def answer_text(kind: str, item: InspectionItem | None, unit: str) -> str:
    """One item's answer in words: "Fail", "4.5 mm", the text, "3 photos"; "—" when not answered."""
    if item is None:
        return "—"
    parts = []
    if item.rating:
        parts.append(RATINGS.get(item.rating, item.rating))
    if item.value is not None:
        parts.append(f"{_plain(item.value)} {unit}".strip())
    if item.text and kind == ItemKind.TEXT:
        parts.append(item.text)
    if item.photos:
        count = len(item.photos)
        parts.append(f"{count} photo{'s' if count != 1 else ''}")
    return " · ".join(parts) or "—"


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")


@dataclass
class ResultItem:
    item_id: str
    label: str
    kind: str
    unit: str
    stored: InspectionItem | None
    answer: str
    note: str
    rating: str | None
    thumbs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def severity(self) -> str:
        return self.rating or ""


@dataclass
class ResultSection:
    title: str
    items: list[ResultItem]


@dataclass
class Results:
    inspection: Inspection
    template: InspectionTemplate
    sections: list[ResultSection]
    verdict: str
    answered: int
    total: int
    counts: dict[str, int]
    defects: list[ResultItem]


def results(
    inspection: Inspection,
    template: InspectionTemplate,
    items: dict[str, InspectionItem],
    *,
    photos: bool = True,
) -> Results:
    """The inspection as its pages show it; ``photos`` adds signed thumbnail links."""
    sections = []
    counts = dict.fromkeys(RATINGS, 0)
    answered = total = 0
    for section in template.sections or []:
        rows = []
        for entry in section.items:
            stored = items.get(entry.item_id)
            total += 1
            answer = answer_text(entry.kind, stored, entry.unit or "")
            answered += is_answered(entry, stored)
            rating = stored.rating if stored is not None else None
            if rating in counts:
                counts[rating] += 1
            thumbs = []
            if photos and stored is not None:
                thumbs = [
                    {
                        "photoId": photo.photo_id,
                        "thumbUrl": storage.download_url(photo.thumb_key),
                        "url": storage.download_url(photo.key),
                        "width": photo.width,
                        "height": photo.height,
                    }
                    for photo in stored.photos or []
                ]
            note = (stored.text or "") if stored is not None and entry.kind != ItemKind.TEXT else ""
            rows.append(
                ResultItem(
                    entry.item_id, entry.label, entry.kind, entry.unit or "", stored, answer, note, rating, thumbs
                )
            )
        sections.append(ResultSection(section.title, rows))
    defects = [
        row
        for rank in (Rating.FAIL.value, Rating.ATTENTION.value)
        for section in sections
        for row in section.items
        if row.rating == rank
    ]
    return Results(
        inspection=inspection,
        template=template,
        sections=sections,
        verdict=VERDICTS.get(inspection.verdict or "", ""),
        answered=answered,
        total=total,
        counts=counts,
        defects=defects,
    )
