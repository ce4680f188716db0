"""The adjustment note as a one-page A4 PDF (reportlab), apart from the tax invoice's layout."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from autolab.money import from_cents, money_display


@dataclass(frozen=True)
class NoteDocument:
    note_number: int
    note_date: str  # DD/MM/YYYY
    invoice_number: int | None
    invoice_id: str
    customer_name: str
    customer_email: str
    reason: str
    amount_cents: int  # GST-inclusive
    gst_cents: int


def _text(value: object) -> str:
    return escape(str(value or ""))


def render_note(doc: NoteDocument) -> bytes:
    """The PDF bytes of ``doc``: what was adjusted against which tax invoice, and its GST."""
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Adjustment note {doc.note_number}",
        author=settings.BUSINESS_NAME,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    styles = getSampleStyleSheet()
    seller = f"<b>{_text(settings.BUSINESS_NAME)}</b><br/>{_text(settings.BUSINESS_ADDRESS)}<br/>ABN: {_text(settings.BUSINESS_ABN)}"
    original = f"Tax invoice {doc.invoice_number}" if doc.invoice_number else (doc.invoice_id or "none issued")
    details = (
        f"<b>Adjustment note number:</b> {doc.note_number}<br/><b>Date:</b> {_text(doc.note_date)}"
        f"<br/><b>Original invoice:</b> {_text(original)}"
    )
    net = doc.amount_cents - doc.gst_cents
    rows = [
        ["Adjustment (excl. GST)", money_display(from_cents(net))],
        ["GST adjusted (10%)", money_display(from_cents(doc.gst_cents))],
        ["Total adjusted (incl. GST)", money_display(from_cents(doc.amount_cents))],
    ]
    story = [
        Paragraph("Adjustment note", styles["Title"]),
        Table(
            [[Paragraph(seller, styles["Normal"]), Paragraph(details, styles["Normal"])]], colWidths=[100 * mm, 70 * mm]
        ),
        Spacer(1, 6 * mm),
        Paragraph(
            f"<b>Customer</b><br/>{_text(doc.customer_name or 'Customer')}<br/>{_text(doc.customer_email)}",
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
        Paragraph(f"<b>Reason:</b> {_text(doc.reason)}", styles["Normal"]),
        Spacer(1, 4 * mm),
        Table(rows, colWidths=[120 * mm, 50 * mm]),
        Spacer(1, 8 * mm),
        Paragraph(
            "This adjustment note decreases the amount of the original tax invoice, which stands unchanged.",
            styles["Italic"],
        ),
    ]
    template.build(story)
    return buffer.getvalue()
