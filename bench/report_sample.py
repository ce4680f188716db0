"""A realistic inspection report to render: the seeded pre-purchase checklist (83 items, 11
sections) answered, with ``photos`` photos spread over its photo items and stored in
``autolab.storage`` as the photo service stores its 400 px thumbnails. Used by the PDF bench and
the rendering tests."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from PIL import Image

from autolab import clock, storage
from inspections.checklist import SECTIONS, TEMPLATE_NAME
from inspections.types import (
    MAX_PHOTOS_PER_ITEM,
    ItemKind,
    Rating,
    ReportData,
    ReportItem,
    ReportPhoto,
    ReportSection,
    ReportVehicle,
    Verdict,
)

FAILS = {"brakes": 1, "tyres": 0}  # section id -> which rating item (by position) fails
ATTENTIONS = {"body": 3, "bonnet": 1, "steering": 0}


def thumbnail(seed: int, width: int, height: int) -> bytes:
    """A JPEG with some detail (stripes), so it compresses like a photo rather than a flat colour."""
    image = Image.new("RGB", (width, height), ((seed * 37) % 255, (seed * 91) % 255, 120))
    for x in range(0, width, 16):
        image.paste((20, 20, (seed * 13) % 255), (x, 0, x + 5, height))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def stored_photos(prefix: str, count: int) -> list[ReportPhoto]:
    """``count`` thumbnails saved under ``inspections/<prefix>/``, every third one portrait."""
    photos = []
    for n in range(count):
        width, height = (300, 400) if n % 3 == 2 else (400, 300)
        key = f"inspections/{prefix}/photo-{n:02d}-thumb.jpg"
        storage.save(key, thumbnail(n, width, height), "image/jpeg")
        photos.append(ReportPhoto(key=key, width=width, height=height))
    return photos


def _spread(photos: list[ReportPhoto], slots: int) -> list[tuple[ReportPhoto, ...]]:
    """``photos`` over ``slots`` photo items, as evenly as can be, at least one and at most 10 each."""
    if len(photos) > slots * MAX_PHOTOS_PER_ITEM:
        raise ValueError(f"At most {slots * MAX_PHOTOS_PER_ITEM} photos fit the checklist")
    base, extra = divmod(len(photos), slots)
    groups, at = [], 0
    for slot in range(slots):
        size = base + (1 if slot < extra else 0)
        groups.append(tuple(photos[at : at + size]))
        at += size
    return groups


def _answer(section_id: str, label: str, kind: ItemKind, unit: str, ratings_seen: int) -> ReportItem:
    if kind == ItemKind.MEASUREMENT:
        value = {"mm": Decimal("4.5"), "kPa": Decimal(230), "V": Decimal("12.6")}.get(unit, Decimal(1))
        return ReportItem(label=label, kind=kind, value=value, unit=unit)
    if kind == ItemKind.TEXT:
        return ReportItem(label=label, kind=kind, text=f"Checked: nothing further on {label.lower()}.")
    rating = Rating.PASS
    if FAILS.get(section_id) == ratings_seen:
        rating = Rating.FAIL
    elif ATTENTIONS.get(section_id) == ratings_seen:
        rating = Rating.ATTENTION
    note = "" if rating == Rating.PASS else f"{rating.value.capitalize()}: see the photos and the summary."
    return ReportItem(label=label, kind=kind, rating=rating, text=note)


def sample_report(*, photos: int = 40, prefix: str = "sample", appointment_id: str = "sample-report") -> ReportData:
    """The seeded checklist answered (two fails, three attentions) with ``photos`` stored photos."""
    photo_items = sum(1 for _, _, items in SECTIONS for _, kind, _ in items if kind == ItemKind.PHOTO)
    groups = iter(_spread(stored_photos(prefix, photos), photo_items))
    sections = []
    for section_id, title, entries in SECTIONS:
        items, ratings_seen = [], 0
        for label, kind, unit in entries:
            if kind == ItemKind.PHOTO:
                items.append(ReportItem(label=label, kind=kind, photos=next(groups)))
                continue
            items.append(_answer(section_id, label, kind, unit, ratings_seen))
            ratings_seen += kind == ItemKind.RATING
        sections.append(ReportSection(title=title, items=tuple(items)))
    return ReportData(
        appointment_id=appointment_id,
        service_name="Pre Purchase Inspection - Comprehensive",
        customer_name="Cara Buyer",
        vehicle=ReportVehicle(
            make="Toyota",
            model="Corolla",
            year="2015",
            registration="1ABC234",
            vin="JTDBR32E720012345",
            odometer_km=123_456,
        ),
        verdict=Verdict.RECOMMENDED_WITH_REPAIRS,
        summary="A sound car overall. The rear discs need replacing and the spare tyre is missing its jack.",
        sections=tuple(sections),
        mechanic_name="Max Mechanic",
        submitted_at=clock.now() - dt.timedelta(hours=2),
        template_name=TEMPLATE_NAME,
        template_version=1,
    )
