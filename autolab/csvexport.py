"""CSV downloads that a spreadsheet opens as data, never as formulas (issue #20.6).

A cell a spreadsheet would read as a formula (``=HYPERLINK(...)`` in a car make) gets a leading
``'``, which Excel, LibreOffice and Google Sheets show as text. Plain numbers such as ``-12.5``
stay numbers. Every CSV export goes through ``csv_response``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.match(value):
        return "'" + value
    return value


def csv_response(rows: Iterable[Iterable[Any]], *, filename: str) -> HttpResponse:
    """An attachment download of ``rows``, every text cell neutralised."""
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return response
