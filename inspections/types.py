"""The inspection's vocabulary, and the report the worker renders: plain frozen values, so the PDF
is drawn from data, never from models or request JSON."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class ItemKind(StrEnum):
    """What one checklist item asks for."""

    RATING = "rating"  # pass / attention / fail
    MEASUREMENT = "measurement"  # a number in the item's unit (tyre tread mm, brake pad mm, battery V)
    TEXT = "text"  # free text
    PHOTO = "photo"  # at least one photo required


ITEM_KINDS = tuple(kind.value for kind in ItemKind)  # the API's choices (one enum in the OpenAPI schema)


class Rating(StrEnum):
    PASS = "pass"  # noqa: S105 (a rating, not a password)
    ATTENTION = "attention"
    FAIL = "fail"


class Verdict(StrEnum):
    """The overall verdict the customer reads first."""

    RECOMMENDED = "recommended"
    RECOMMENDED_WITH_REPAIRS = "recommended_with_repairs"
    NOT_RECOMMENDED = "not_recommended"


class InspectionStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"  # locked; the worker renders its PDF
    REPORTED = "reported"  # its PDF is on the appointment's reports list


MAX_PHOTOS_PER_ITEM = 10


@dataclass(frozen=True)
class ReportPhoto:
    key: str  # autolab.storage key of the image drawn in the PDF
    width: int
    height: int


@dataclass(frozen=True)
class ReportItem:
    label: str
    kind: ItemKind
    rating: Rating | None = None
    value: Decimal | None = None
    unit: str = ""
    text: str = ""
    photos: tuple[ReportPhoto, ...] = ()


@dataclass(frozen=True)
class ReportSection:
    title: str
    items: tuple[ReportItem, ...]


@dataclass(frozen=True)
class ReportVehicle:
    make: str
    model: str
    year: str
    registration: str = ""
    vin: str = ""
    odometer_km: int | None = None


@dataclass(frozen=True)
class ReportData:
    """Everything the PDF shows."""

    appointment_id: str
    service_name: str  # e.g. "Pre Purchase Inspection - Comprehensive"
    customer_name: str
    vehicle: ReportVehicle
    verdict: Verdict
    summary: str
    sections: tuple[ReportSection, ...]
    mechanic_name: str
    submitted_at: dt.datetime  # aware, business time zone
    template_name: str
    template_version: int
