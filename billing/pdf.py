"""The Australian tax invoice as a one-page A4 PDF (reportlab)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from autolab.money import gst_of, money_display, to_money

METHOD_LABELS = {"stripe": "Card (Stripe)", "cash": "Cash", "bank_transfer": "Bank Transfer", "card": "Card"}
# The portal's labels (sentence case, as staff_format.label writes every other value).
_PORTAL_METHOD_LABELS = {
    "stripe": "Card (Stripe)",
    "cash": "Cash",
    "bank_transfer": "Bank transfer",
    "card": "Card (terminal)",
}


def method_label(method: str) -> str:
    """A payment method for people, e.g. ``bank_transfer`` -> ``Bank transfer``; "" for none."""
    return _PORTAL_METHOD_LABELS.get(method, method.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Line:
    name: str
    description: str
    quantity: int
    unit_price: Decimal  # GST-inclusive

    @property
    def total(self) -> Decimal:
        return to_money(self.unit_price * self.quantity)

    @property
    def gst(self) -> Decimal:
        return gst_of(self.total)

    @property
    def net(self) -> Decimal:
        """The line's price without GST (the original's NET PRICE column)."""
        return self.total - self.gst


@dataclass(frozen=True)
class InvoiceDocument:
    invoice_number: int
    invoice_id: str
    invoice_date: str  # DD/MM/YYYY
    buyer_name: str
    buyer_email: str
    buyer_phone: str
    payment_method: str
    payment_reference: str
    payment_date: str
    lines: list[Line] = field(default_factory=list)
    cancelled_on: str = ""  # DD/MM/YYYY when the invoice was cancelled
    buyer_abn: str = ""  # 11 digits, when the buyer gave one (billing.services.buyer)

    @property
    def total(self) -> Decimal:
        return to_money(sum((line.total for line in self.lines), Decimal(0)))

    @property
    def gst(self) -> Decimal:
        return gst_of(self.total)

    @property
    def net(self) -> Decimal:
        """The total without GST (the PDF's "Net amount")."""
        return self.total - self.gst


def _text(value: object) -> str:
    """Plain text for reportlab Paragraph markup: names, addresses and references are never markup.

    Unescaped, a customer's name could add a link (``<a href>``) or break the PDF (``<b>`` unclosed).
    """
    return escape(str(value))


def abn_display(abn: str) -> str:
    """An ABN as the ATO writes it: ``51 824 753 556``."""
    digits = "".join(abn.split())
    return f"{digits[:2]} {digits[2:5]} {digits[5:8]} {digits[8:]}" if len(digits) == 11 else abn


def invoice_title() -> str:
    """Only a GST-registered business may call its document a tax invoice (ATO)."""
    return "Tax invoice" if settings.GST_REGISTERED else "Invoice"


def _header(doc: InvoiceDocument, styles: StyleSheet1) -> list[Flowable]:
    seller = (
        f"<b>{_text(settings.BUSINESS_NAME)}</b><br/>{_text(settings.BUSINESS_ADDRESS)}"
        f"<br/>ABN: {_text(settings.BUSINESS_ABN)}"
        f"<br/>{_text(settings.BUSINESS_PHONE)} · {_text(settings.BUSINESS_EMAIL)}"
    )
    details = (
        f"<b>Invoice number:</b> {doc.invoice_number}<br/><b>Invoice ID:</b> {_text(doc.invoice_id)}"
        f"<br/><b>Invoice date:</b> {_text(doc.invoice_date)}"
    )
    buyer = (
        f"<b>Billed to</b><br/>{_text(doc.buyer_name or 'Customer')}<br/>{_text(doc.buyer_email)}"
        f"<br/>{_text(doc.buyer_phone)}"
    )
    if doc.buyer_abn:  # the buyer's identity with the name (ATO: required from $1,000)
        buyer += f"<br/>ABN: {_text(abn_display(doc.buyer_abn))}"
    top = Table(
        [[Paragraph(seller, styles["Normal"]), Paragraph(details, styles["Normal"])]], colWidths=[100 * mm, 70 * mm]
    )
    return [Paragraph(invoice_title(), styles["Title"]), top, Spacer(1, 6 * mm), Paragraph(buyer, styles["Normal"])]


def _lines_table(doc: InvoiceDocument, styles: StyleSheet1) -> Table:
    if not settings.GST_REGISTERED:
        return _plain_lines_table(doc, styles)
    rows: list[list[str | Paragraph]] = [["Item", "Qty", "Unit price", "Net price", "GST (10%)", "Total"]]
    for line in doc.lines:
        label = Paragraph(f"{_text(line.name)}<br/><font size=8>{_text(line.description)}</font>", styles["Normal"])
        rows.append(
            [
                label,
                str(line.quantity),
                money_display(line.unit_price),
                money_display(line.net),
                money_display(line.gst),
                money_display(line.total),
            ]
        )
    rows.append(["", "", "", "", "Net amount", money_display(doc.net)])
    rows.append(["", "", "", "", "Total GST", money_display(doc.gst)])
    rows.append(["", "", "", "", "Total (incl. GST)", money_display(doc.total)])
    table = Table(rows, colWidths=[62 * mm, 12 * mm, 23 * mm, 23 * mm, 25 * mm, 25 * mm])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f08c00")),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -4), 0.25, colors.grey),
                ("FONTNAME", (4, -1), (-1, -1), "Helvetica-Bold"),
            ]
        )
    )
    return table


def _plain_lines_table(doc: InvoiceDocument, styles: StyleSheet1) -> Table:
    """The lines of a business not registered for GST: its prices carry no GST, so no GST is shown."""
    rows: list[list[str | Paragraph]] = [["Item", "Qty", "Unit price", "Total"]]
    for line in doc.lines:
        label = Paragraph(f"{_text(line.name)}<br/><font size=8>{_text(line.description)}</font>", styles["Normal"])
        rows.append([label, str(line.quantity), money_display(line.unit_price), money_display(line.total)])
    rows.append(["", "", "Total", money_display(doc.total)])
    table = Table(rows, colWidths=[100 * mm, 20 * mm, 25 * mm, 25 * mm])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f08c00")),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.grey),
                ("FONTNAME", (2, -1), (-1, -1), "Helvetica-Bold"),
            ]
        )
    )
    return table


def _footer() -> str:
    seller = f"{_text(settings.BUSINESS_NAME)} · ABN {_text(settings.BUSINESS_ABN)}."
    if not settings.GST_REGISTERED:
        return f"{seller} Not registered for GST: no GST is included. Thank you for your business."
    return f"Prices include GST. {seller} Thank you for your business."


def _cancelled_banner(doc: InvoiceDocument, styles: StyleSheet1) -> list[Flowable]:
    """A cancelled invoice says so before anything else; the amounts stay as they were issued."""
    if not doc.cancelled_on:
        return []
    text = f"CANCELLED on {_text(doc.cancelled_on)}: this invoice is void and no longer payable."
    banner = Table([[Paragraph(f'<font color="#c92a2a"><b>{text}</b></font>', styles["Normal"])]], colWidths=[170 * mm])
    banner.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.5, colors.HexColor("#c92a2a"))]))
    return [banner, Spacer(1, 4 * mm)]


def render_invoice(doc: InvoiceDocument) -> bytes:
    """The PDF bytes of ``doc``; GST is 1/11 of the GST-inclusive total."""
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{invoice_title()} {doc.invoice_number}",
        author=settings.BUSINESS_NAME,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    styles = getSampleStyleSheet()
    method = METHOD_LABELS.get(doc.payment_method, doc.payment_method.replace("_", " ").title())
    payment = (
        f"<b>Payment method:</b> {_text(method)}<br/><b>Payment reference:</b> {_text(doc.payment_reference)}"
        f"<br/><b>Payment date:</b> {_text(doc.payment_date or doc.invoice_date)}<br/><b>Status:</b> "
        + (f"Cancelled on {_text(doc.cancelled_on)}" if doc.cancelled_on else "Paid")
    )
    story = [
        *_cancelled_banner(doc, styles),
        *_header(doc, styles),
        Spacer(1, 6 * mm),
        _lines_table(doc, styles),
        Spacer(1, 6 * mm),
        Paragraph(payment, styles["Normal"]),
        Spacer(1, 8 * mm),
        Paragraph(_footer(), styles["Italic"]),
    ]
    template.build(story)
    return buffer.getvalue()
