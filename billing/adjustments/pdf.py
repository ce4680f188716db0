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


def note_title() -> str:
    """What the portal, the PDF and the export call an adjustment note (see ``_wording``)."""
    return _wording()[0]


def _wording() -> tuple[str, str]:
    """The document's name and the original's: adjustment notes and tax invoices are GST documents
    (ATO), so a business not registered for GST issues a credit note against an invoice."""
    return ("Adjustment note", "Tax invoice") if settings.GST_REGISTERED else ("Credit note", "Invoice")


def _amount_rows(doc: NoteDocument) -> list[list[str]]:
    if not settings.GST_REGISTERED:
        return [["Total credited", money_display(from_cents(doc.amount_cents))]]
    net = doc.amount_cents - doc.gst_cents
    return [
        ["Adjustment (excl. GST)", money_display(from_cents(net))],
        ["GST adjusted (10%)", money_display(from_cents(doc.gst_cents))],
        ["Total adjusted (incl. GST)", money_display(from_cents(doc.amount_cents))],
    ]


def render_note(doc: NoteDocument) -> bytes:
    """The PDF bytes of ``doc``: what was adjusted against which invoice, and its GST when registered."""
    name, original_name = _wording()
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{name} {doc.note_number}",
        author=settings.BUSINESS_NAME,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    styles = getSampleStyleSheet()
    seller = f"<b>{_text(settings.BUSINESS_NAME)}</b><br/>{_text(settings.BUSINESS_ADDRESS)}<br/>ABN: {_text(settings.BUSINESS_ABN)}"
    original = f"{original_name} {doc.invoice_number}" if doc.invoice_number else (doc.invoice_id or "none issued")
    details = (
        f"<b>{name} number:</b> {doc.note_number}<br/><b>Date:</b> {_text(doc.note_date)}"
        f"<br/><b>Original invoice:</b> {_text(original)}"
    )
    story = [
        Paragraph(name, styles["Title"]),
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
        Table(_amount_rows(doc), colWidths=[120 * mm, 50 * mm]),
        Spacer(1, 8 * mm),
        Paragraph(
            f"This {name.lower()} decreases the amount of the original {original_name.lower()}, which stands unchanged.",
            styles["Italic"],
        ),
    ]
    template.build(story)
    return buffer.getvalue()
