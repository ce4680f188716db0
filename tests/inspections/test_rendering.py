from __future__ import annotations

import dataclasses
import io
import re

import pytest
from pypdf import PdfReader

from autolab import clock, storage
from bench.report_sample import sample_report, stored_photos
from inspections.rendering import render_report
from inspections.types import ItemKind, Rating, ReportItem, ReportSection, Verdict


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text with runs of whitespace made one space (a long label wraps in its cell)."""
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def report():
    return sample_report(photos=40, prefix="test-render")


def test_the_cover_shows_the_vehicle_the_customer_the_service_and_the_verdict(report) -> None:
    cover = pages_text(render_report(report))[0]

    for fact in ("Toyota", "Corolla", "2015", "1ABC234", "JTDBR32E720012345", "123,456 km"):
        assert fact in cover
    assert "Cara Buyer" in cover
    assert "Pre Purchase Inspection - Comprehensive" in cover
    assert "OVERALL VERDICT Recommended with repairs" in cover
    assert report.summary in cover


@pytest.mark.parametrize(
    ("verdict", "label"),
    [
        (Verdict.RECOMMENDED, "Recommended"),
        (Verdict.RECOMMENDED_WITH_REPAIRS, "Recommended with repairs"),
        (Verdict.NOT_RECOMMENDED, "Not recommended"),
    ],
)
def test_the_verdict_is_printed_in_words_under_its_caption(report, verdict, label) -> None:
    cover = pages_text(render_report(dataclasses.replace(report, verdict=verdict)))[0]

    assert f"OVERALL VERDICT {label} Vehicle" in cover


def test_the_defects_are_summarised_on_the_cover_fails_first_each_with_its_section(report) -> None:
    fails = [(s.title, i.label) for s in report.sections for i in s.items if i.rating == Rating.FAIL]
    attentions = [(s.title, i.label) for s in report.sections for i in s.items if i.rating == Rating.ATTENTION]
    assert (len(fails), len(attentions)) == (2, 3)

    cover = pages_text(render_report(report))[0]
    summary = cover[cover.index("Defects by severity") :]

    assert "5 found: 2 fail, 3 attention." in summary
    positions = []
    for severity, (section, label) in [("FAIL", entry) for entry in fails] + [("ATTENTION", e) for e in attentions]:
        row = f"{severity} {section} {label}"
        assert row in summary
        positions.append(summary.index(row))
    assert positions == sorted(positions)


def test_a_report_without_defects_says_so(report) -> None:
    clean = tuple(
        ReportSection(
            section.title,
            tuple(dataclasses.replace(item, rating=Rating.PASS) if item.rating else item for item in section.items),
        )
        for section in report.sections
    )

    cover = pages_text(render_report(dataclasses.replace(report, sections=clean)))[0]

    assert "No item was rated fail or attention." in cover
    assert "FAIL" not in cover


def test_every_section_and_every_item_result_is_printed(report) -> None:
    text = " ".join(pages_text(render_report(report))[1:])

    for section in report.sections:
        assert section.title in text
        for item in section.items:
            assert item.label in text
    assert "Front brake pad thickness 4.5 mm" in text
    assert "Battery voltage (engine off) 12.6 V" in text
    assert "Front tyre pressure 230 kPa" in text
    assert "Rear discs or drums Fail: see the photos and the summary. FAIL" in text
    assert "Engine notes Checked: nothing further on engine notes. Noted" in text
    assert "Front of the vehicle (photo) 6 photos" in text


def test_every_photo_is_embedded_once_as_stored(report) -> None:
    stored = {storage.read(photo.key) for s in report.sections for i in s.items for photo in i.photos}
    assert len(stored) == 40

    reader = PdfReader(io.BytesIO(render_report(report)))
    images = [image for page in reader.pages for image in page.images]

    assert len(images) == 40
    assert {image.image.size for image in images} == {(400, 300), (300, 400)}
    embedded = {image.indirect_reference.get_data() for image in images}
    assert embedded == stored  # the stored JPEGs, passed through as they are


def test_every_page_names_the_mechanic_and_the_submission_time_with_its_number(report) -> None:
    local = clock.to_local(report.submitted_at)
    submitted = f"{local:%d/%m/%Y %H:%M} AWST"

    pages = pages_text(render_report(report))

    assert len(pages) >= 5
    for number, text in enumerate(pages, start=1):
        assert f"Inspected by Max Mechanic · Submitted {submitted}" in text
        assert f"Page {number} of {len(pages)}" in text


def test_a_photo_missing_from_storage_is_noted_and_the_rest_are_drawn(report, settings) -> None:
    (lost,) = stored_photos("test-render-lost", 1)
    (settings.MEDIA_ROOT / lost.key).unlink()
    first = report.sections[0]
    with_lost = ReportItem(label="Lost photo item", kind=ItemKind.PHOTO, photos=(lost,))
    report = dataclasses.replace(
        report, sections=(ReportSection(first.title, (with_lost, *first.items)), *report.sections[1:])
    )

    pdf = render_report(report)

    assert "Lost photo item 1 photo Photo unavailable" in " ".join(pages_text(pdf))
    assert sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages) == 40


def test_what_people_typed_is_printed_as_text_never_as_markup(report) -> None:
    report = dataclasses.replace(report, customer_name="<b>Bob</b> & Co <br/>", summary='<a href="x">click</a>\nline 2')

    cover = pages_text(render_report(report))[0]

    assert "<b>Bob</b> & Co <br/>" in cover
    assert '<a href="x">click</a> line 2' in cover
