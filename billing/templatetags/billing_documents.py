"""What the portal calls billing's documents, as their PDFs do (billing.pdf.invoice_title): only a
business registered for GST issues tax invoices and shows GST (ATO)."""

from __future__ import annotations

from django import template
from django.conf import settings

from billing.pdf import abn_display
from billing.pdf import invoice_title as _invoice_title

register = template.Library()


@register.simple_tag
def invoice_title(lower: bool = False) -> str:
    """``Tax invoice`` or ``Invoice`` (``lower``: in a sentence)."""
    title = _invoice_title()
    return title.lower() if lower else title


@register.filter
def abn(value: str) -> str:
    """An ABN as the PDF prints it: ``51 824 753 556``."""
    return abn_display(value or "")


@register.simple_tag
def gst_registered() -> bool:
    return bool(settings.GST_REGISTERED)
