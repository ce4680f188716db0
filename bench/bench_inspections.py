"""Inspections: the report PDF of the seeded pre-purchase checklist (83 items in 11 sections,
2 fails and 3 attentions) with 40 photos, rendered by one worker process (`inspections.rendering`:
the stored 400 px thumbnails embedded as they are, never decoded or resampled)."""

from __future__ import annotations

import io

from bench.harness import Measurement, measure

PHOTOS = 40
RENDERS = 20


def run() -> list[Measurement]:
    from pypdf import PdfReader

    from bench.report_sample import sample_report
    from inspections.rendering import render_report

    report = sample_report(photos=PHOTOS, prefix="bench")
    pdf = render_report(report)  # warm: fonts and modules loaded once per worker
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    rendered = measure(
        f"render_report: {PHOTOS}-photo report (one worker)", lambda _: render_report(report), repeat=RENDERS
    )
    rendered.notes = (
        f"≈ {1000 / rendered.ms_p50:.1f} PDFs/s per worker (p50); {pages} pages, {len(pdf) / 1_000_000:.2f} MB"
    )
    return [rendered]
