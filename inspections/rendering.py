"""The inspection report as a branded A4 PDF (reportlab), drawn from ``ReportData`` alone: a cover
with the vehicle, the customer, the service and the verdict; the defects by severity; every section
with each item's result and its photos; the mechanic and the submission time on every page.

No DB. Photos are read from ``autolab.storage`` by key and embedded as stored (JPEG passes through
untouched, never resampled), drawn at most at their own size.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from autolab import clock, storage
from inspections.types import ItemKind, Rating, ReportData, ReportItem, ReportPhoto, ReportSection, Verdict

BRAND = colors.HexColor("#f08c00")  # the invoice's header colour
INK = colors.HexColor("#212529")
MUTED = colors.HexColor("#6c757d")
RULE = colors.HexColor("#dee2e6")
SHADE = colors.HexColor("#f8f9fa")
GREEN = colors.HexColor("#2b8a3e")
AMBER = colors.HexColor("#e67700")
RED = colors.HexColor("#c92a2a")

VERDICT_LABELS = {
    Verdict.RECOMMENDED: "Recommended",
    Verdict.RECOMMENDED_WITH_REPAIRS: "Recommended with repairs",
    Verdict.NOT_RECOMMENDED: "Not recommended",
}
VERDICT_COLOURS = {Verdict.RECOMMENDED: GREEN, Verdict.RECOMMENDED_WITH_REPAIRS: AMBER, Verdict.NOT_RECOMMENDED: RED}
RATING_LABELS = {Rating.PASS: "Pass", Rating.ATTENTION: "Attention", Rating.FAIL: "Fail"}
RATING_COLOURS = {Rating.PASS: GREEN, Rating.ATTENTION: AMBER, Rating.FAIL: RED}
SEVERITY_ORDER = (Rating.FAIL, Rating.ATTENTION)

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
PHOTOS_PER_ROW = 3
PHOTO_BOX = (CONTENT_WIDTH / PHOTOS_PER_ROW - 4 * mm, 42 * mm)
PHOTO_READERS = 8  # photos are fetched in parallel: on S3 each read is a round trip


def _text(value: object) -> str:
    """Plain text for Paragraph markup (a mechanic's note is never markup), line breaks kept."""
    return escape(str(value)).replace("\n", "<br/>")


def business_time(moment: dt.datetime) -> str:
    """``03/12/2026 16:31 AWST``: the submission time as the report prints it (business time)."""
    local = clock.to_local(moment)
    return f"{local:%d/%m/%Y %H:%M} {local.tzname()}"


def verdict_label(verdict: Verdict) -> str:
    return VERDICT_LABELS[verdict]


def value_display(item: ReportItem) -> str:
    """A measurement as read: ``4.5 mm``; the number as given (``Decimal`` keeps its digits)."""
    if item.value is None:
        return "-"
    return f"{item.value:f} {item.unit}".strip()


def _styles() -> StyleSheet1:
    styles = getSampleStyleSheet()
    base = styles["Normal"]
    base.fontSize, base.leading, base.textColor = 9.5, 12.5, INK
    extra = [
        ParagraphStyle("Brand", base, fontName="Helvetica-Bold", fontSize=11, textColor=colors.white),
        ParagraphStyle("CoverTitle", base, fontName="Helvetica-Bold", fontSize=22, leading=27, spaceAfter=2 * mm),
        ParagraphStyle("Lead", base, fontSize=11, leading=15, textColor=MUTED),
        ParagraphStyle("Verdict", base, fontName="Helvetica-Bold", fontSize=20, leading=24, textColor=colors.white),
        ParagraphStyle("VerdictCaption", base, fontSize=9, textColor=colors.white),
        ParagraphStyle("Heading", base, fontName="Helvetica-Bold", fontSize=13, leading=17, spaceBefore=4 * mm),
        ParagraphStyle("Label", base, fontName="Helvetica-Bold", textColor=MUTED, fontSize=8.5),
        ParagraphStyle("Note", base, fontSize=8.5, leading=11, textColor=MUTED),
        ParagraphStyle("Result", base, fontName="Helvetica-Bold", alignment=TA_CENTER),
        ParagraphStyle("Caption", base, fontSize=7.5, leading=9, textColor=MUTED, alignment=TA_CENTER),
    ]
    for style in extra:
        styles.add(style)
    return styles


# --- Cover -----------------------------------------------------------------------------------------


def _brand_band(styles: StyleSheet1) -> Table:
    band = Table(
        [
            [
                Paragraph(_text(settings.BUSINESS_NAME), styles["Brand"]),
                Paragraph(
                    f'<font color="white">{_text(settings.BUSINESS_PHONE)} · {_text(settings.BUSINESS_EMAIL)}</font>',
                    styles["Normal"],
                ),
            ]
        ],
        colWidths=[CONTENT_WIDTH * 0.45, CONTENT_WIDTH * 0.55],
    )
    band.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), BRAND),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    return band


def _verdict_box(data: ReportData, styles: StyleSheet1) -> Table:
    box = Table(
        [
            [Paragraph("OVERALL VERDICT", styles["VerdictCaption"])],
            [Paragraph(_text(verdict_label(data.verdict)), styles["Verdict"])],
        ],
        colWidths=[CONTENT_WIDTH],
    )
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), VERDICT_COLOURS[data.verdict]),
                ("LEFTPADDING", (0, 0), (-1, -1), 5 * mm),
                ("TOPPADDING", (0, 0), (0, 0), 4 * mm),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 5 * mm),
            ]
        )
    )
    return box


def _facts(rows: list[tuple[str, str]], styles: StyleSheet1) -> Table:
    """Label/value pairs, two pairs a row."""
    cells: list[list[Flowable | str]] = [
        [Paragraph(_text(label), styles["Label"]), Paragraph(_text(value or "-"), styles["Normal"])]
        for label, value in rows
    ]
    if len(cells) % 2:
        cells.append(["", ""])
    grid = [cells[at] + cells[at + 1] for at in range(0, len(cells), 2)]
    quarter = CONTENT_WIDTH / 4
    table = Table(grid, colWidths=[quarter * 0.7, quarter * 1.3, quarter * 0.7, quarter * 1.3])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5 * mm),
            ]
        )
    )
    return table


def _cover(data: ReportData, styles: StyleSheet1) -> list[Flowable]:
    vehicle = data.vehicle
    odometer = f"{vehicle.odometer_km:,} km" if vehicle.odometer_km is not None else ""
    car = " ".join(part for part in (vehicle.year, vehicle.make, vehicle.model) if part)
    return [
        _brand_band(styles),
        Spacer(1, 8 * mm),
        Paragraph("Vehicle inspection report", styles["CoverTitle"]),
        Paragraph(_text(car or "Vehicle"), styles["Lead"]),
        Spacer(1, 6 * mm),
        _verdict_box(data, styles),
        Spacer(1, 6 * mm),
        Paragraph("Vehicle", styles["Heading"]),
        _facts(
            [
                ("Make", vehicle.make),
                ("Model", vehicle.model),
                ("Year", vehicle.year),
                ("Registration", vehicle.registration),
                ("VIN", vehicle.vin),
                ("Odometer", odometer),
            ],
            styles,
        ),
        Paragraph("Inspection", styles["Heading"]),
        _facts(
            [
                ("Customer", data.customer_name),
                ("Service", data.service_name),
                ("Inspected by", data.mechanic_name),
                ("Submitted", business_time(data.submitted_at)),
                ("Checklist", f"{data.template_name} (version {data.template_version})"),
                ("Reference", data.appointment_id),
            ],
            styles,
        ),
        Paragraph("Summary", styles["Heading"]),
        Paragraph(_text(data.summary or "-"), styles["Normal"]),
    ]


# --- Defects ---------------------------------------------------------------------------------------


def defects(data: ReportData) -> list[tuple[Rating, ReportSection, ReportItem]]:
    """Items rated fail, then attention, each in checklist order."""
    return [
        (severity, section, item)
        for severity in SEVERITY_ORDER
        for section in data.sections
        for item in section.items
        if item.rating == severity
    ]


def _chip(rating: Rating, styles: StyleSheet1) -> Paragraph:
    colour = RATING_COLOURS[rating].hexval()[2:]
    return Paragraph(f'<font color="#{colour}">{RATING_LABELS[rating].upper()}</font>', styles["Result"])


def _defect_summary(data: ReportData, styles: StyleSheet1) -> list[Flowable]:
    found = defects(data)
    heading = Paragraph("Defects by severity", styles["Heading"])
    if not found:
        return [heading, Paragraph("No item was rated fail or attention.", styles["Normal"])]
    counts = {severity: sum(1 for entry in found if entry[0] == severity) for severity in SEVERITY_ORDER}
    tally = ", ".join(f"{count} {RATING_LABELS[severity].lower()}" for severity, count in counts.items() if count)
    rows: list[list[Any]] = [["Severity", "Section", "Item"]]
    for severity, section, item in found:
        label = _text(item.label) + (
            f'<br/><font size="8" color="#6c757d">{_text(item.text)}</font>' if item.text else ""
        )
        rows.append(
            [
                _chip(severity, styles),
                Paragraph(_text(section.title), styles["Normal"]),
                Paragraph(label, styles["Normal"]),
            ]
        )
    table = Table(rows, colWidths=[24 * mm, 50 * mm, CONTENT_WIDTH - 74 * mm], repeatRows=1)
    table.setStyle(_list_style())
    return [heading, Paragraph(f"{len(found)} found: {tally}.", styles["Note"]), Spacer(1, 2 * mm), table]


def _list_style() -> TableStyle:
    return TableStyle(
        [
            ("BACKGROUND", (0, 0), (-1, 0), BRAND),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ("FONTSIZE", (0, 0), (-1, 0), 9),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ]
    )


# --- Sections --------------------------------------------------------------------------------------


def _result(item: ReportItem, styles: StyleSheet1) -> Paragraph:
    if item.kind == ItemKind.RATING and item.rating is not None:
        return _chip(item.rating, styles)
    if item.kind == ItemKind.MEASUREMENT:
        return Paragraph(_text(value_display(item)), styles["Result"])
    if item.kind == ItemKind.PHOTO:
        count = len(item.photos)
        return Paragraph(f"{count} photo{'s' if count != 1 else ''}", styles["Result"])
    return Paragraph("Noted" if item.text else "-", styles["Result"])


class _StoredJpeg(ImageReader):
    """A stored photo as reportlab reads it. ``drawImage`` names an image by a digest of its decoded
    pixels; a JPEG is embedded as is (never decoded), so naming it by its bytes saves decoding each
    photo just to name it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self._bytes = data
        self._is_jpeg = data[:3] == b"\xff\xd8\xff"
        self._dataA = None  # what getRGBData says of a JPEG: no alpha channel

    def getRGBData(self) -> bytes:
        return self._bytes if self._is_jpeg else super().getRGBData()


class _Photo(Flowable):
    def __init__(self, data: bytes, width: float, height: float) -> None:
        super().__init__()
        self.image = _StoredJpeg(data)
        self.width, self.height = width, height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.drawImage(self.image, 0, 0, self.width, self.height)


def _photo(photo: ReportPhoto, images: dict[str, bytes | None], styles: StyleSheet1) -> Flowable:
    data = images.get(photo.key)
    box_width, box_height = PHOTO_BOX
    if data is None:
        return Paragraph("Photo unavailable", styles["Caption"])
    # Fit the box keeping the aspect ratio; never larger than the stored pixels (1 px = 1 pt).
    scale = min(box_width / max(photo.width, 1), box_height / max(photo.height, 1), 1.0)
    return _Photo(data, photo.width * scale, photo.height * scale)


def _photo_rows(item: ReportItem, images: dict[str, bytes | None], styles: StyleSheet1) -> list[Table]:
    """The item's photos, a small table per row of three (a page break may fall between rows)."""
    rows = []
    cell = CONTENT_WIDTH / PHOTOS_PER_ROW
    for at in range(0, len(item.photos), PHOTOS_PER_ROW):
        chunk: list[Flowable | str] = [_photo(photo, images, styles) for photo in item.photos[at : at + PHOTOS_PER_ROW]]
        chunk += [""] * (PHOTOS_PER_ROW - len(chunk))
        row = Table([chunk], colWidths=[cell] * PHOTOS_PER_ROW, rowHeights=[PHOTO_BOX[1] + 3 * mm])
        row.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        rows.append(row)
    return rows


def _items_table(rows: list[list[Any]]) -> Table:
    table = Table(rows, colWidths=[CONTENT_WIDTH - 34 * mm, 34 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5 * mm),
            ]
        )
    )
    return table


def _section(section: ReportSection, images: dict[str, bytes | None], styles: StyleSheet1) -> list[Flowable]:
    """The section's title, its items (label, note, result) and each item's photos under it. A
    title stays with the first item, a photo item's row with its first row of photos."""
    groups: list[list[Flowable]] = []
    rows: list[list[Any]] = []
    for item in section.items:
        label = _text(item.label)
        if item.text:
            label += f'<br/><font size="8.5" color="#6c757d">{_text(item.text)}</font>'
        row = [Paragraph(label, styles["Normal"]), _result(item, styles)]
        if not item.photos:
            rows.append(row)
            continue
        if rows:
            groups.append([_items_table(rows)])
            rows = []
        first, *rest = _photo_rows(item, images, styles)
        groups.append([_items_table([row]), first])
        groups.extend([photo_row] for photo_row in rest)
    if rows:
        groups.append([_items_table(rows)])
    heading: Flowable = Paragraph(_text(section.title), styles["Heading"])
    if not groups:
        return [heading]
    groups[0].insert(0, heading)
    return [group[0] if len(group) == 1 else KeepTogether(group) for group in groups]


# --- Pages -----------------------------------------------------------------------------------------


class _NumberedCanvas(Canvas):
    """Holds each page until the end, so every footer can say "page n of N"."""

    footer_left = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # what Canvas.showPage ends with

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._footer(total)
            super().showPage()
        super().save()

    def _footer(self, total: int) -> None:
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN, 13 * mm, PAGE_WIDTH - MARGIN, 13 * mm)
        self.setFont("Helvetica", 8)
        self.setFillColor(MUTED)
        self.drawString(MARGIN, 9 * mm, self.footer_left)
        self.drawRightString(PAGE_WIDTH - MARGIN, 9 * mm, f"Page {self.getPageNumber()} of {total}")
        self.restoreState()


def _canvas_for(data: ReportData) -> type[_NumberedCanvas]:
    footer = (
        f"{settings.BUSINESS_NAME} · Inspected by {data.mechanic_name} · Submitted {business_time(data.submitted_at)}"
    )
    return type("ReportCanvas", (_NumberedCanvas,), {"footer_left": footer})


def _header(data: ReportData) -> Any:
    vehicle = data.vehicle
    title = " ".join(part for part in (vehicle.year, vehicle.make, vehicle.model, vehicle.registration) if part)

    def draw(page: Canvas, _doc: SimpleDocTemplate) -> None:
        page.saveState()
        page.setFillColor(BRAND)
        page.rect(MARGIN, PAGE_HEIGHT - 12 * mm, CONTENT_WIDTH, 1.2 * mm, stroke=0, fill=1)
        page.setFont("Helvetica-Bold", 8)
        page.setFillColor(INK)
        page.drawString(MARGIN, PAGE_HEIGHT - 10 * mm + 3 * mm, "Vehicle inspection report")
        page.setFont("Helvetica", 8)
        page.setFillColor(MUTED)
        page.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 10 * mm + 3 * mm, title)
        page.restoreState()

    return draw


def _images(sections: Iterable[ReportSection]) -> dict[str, bytes | None]:
    """Every photo's stored bytes by key; None for one missing from storage (drawn as a note, so a
    lost file never blocks the report). Other storage errors propagate: the task retries them."""
    keys = list(dict.fromkeys(photo.key for section in sections for item in section.items for photo in item.photos))

    def fetch(key: str) -> bytes | None:
        try:
            return storage.read(key)
        except storage.StorageError:
            return None

    if len(keys) <= 1:
        return {key: fetch(key) for key in keys}
    with ThreadPoolExecutor(max_workers=min(PHOTO_READERS, len(keys))) as pool:
        return dict(zip(keys, pool.map(fetch, keys), strict=True))


def render_report(data: ReportData) -> bytes:
    """The report's PDF bytes: cover (vehicle, customer, service, verdict, summary), defects by
    severity, then every section with its results and photos; footer with mechanic, time, page n of N."""
    styles = _styles()
    images = _images(data.sections)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Vehicle inspection report {data.appointment_id}",
        author=settings.BUSINESS_NAME,
        subject=f"{data.service_name}: {verdict_label(data.verdict)}",
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
    )
    story: list[Flowable] = [*_cover(data, styles), *_defect_summary(data, styles), PageBreak()]
    for section in data.sections:
        story.extend(_section(section, images, styles))
    document.build(story, onFirstPage=lambda page, doc: None, onLaterPages=_header(data), canvasmaker=_canvas_for(data))
    return buffer.getvalue()
