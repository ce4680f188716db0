"""The pre-purchase checklist (inspections/checklist.py) as template version 1 of the seeded
catalogue's pre-purchase plans; re-seeding adds what is missing and keeps what an admin changed."""

from __future__ import annotations

from collections.abc import Iterator

from autolab import clock
from autolab.seeding import put_missing
from inspections import checklist
from inspections.models import (
    CATALOGUE,
    HEAD_VERSION,
    InspectionTemplate,
    PlanRef,
    TemplateItem,
    TemplateSection,
    plan_pointer_id,
)

SEEDED_BY = "seed"


def _sections() -> list[TemplateSection]:
    return [
        TemplateSection(
            section_id=section_id,
            title=title,
            items=[
                TemplateItem(item_id=f"{section_id}-{number:02d}", label=label, kind=kind.value, unit=unit)
                for number, (label, kind, unit) in enumerate(items, start=1)
            ],
        )
        for section_id, title, items in checklist.SECTIONS
    ]


def _items() -> Iterator[InspectionTemplate]:
    now = clock.epoch_now()
    plans = [PlanRef(service_id=service_id, plan_id=plan_id) for service_id, plan_id in checklist.PLANS]
    template_id, name = checklist.TEMPLATE_ID, checklist.TEMPLATE_NAME
    yield InspectionTemplate(
        template_id=template_id,
        version=1,
        name=name,
        plans=plans,
        sections=_sections(),
        created_at=now,
        updated_at=now,
        updated_by=SEEDED_BY,
    )
    yield InspectionTemplate(
        template_id=template_id,
        version=HEAD_VERSION,
        name=name,
        plans=plans,
        latest_version=1,
        catalogue=CATALOGUE,
        created_at=now,
        updated_at=now,
        updated_by=SEEDED_BY,
    )
    for service_id, plan_id in checklist.PLANS:
        yield InspectionTemplate(
            template_id=plan_pointer_id(service_id, plan_id),
            version=HEAD_VERSION,
            plan_template_id=checklist.TEMPLATE_ID,
            updated_at=now,
            updated_by=SEEDED_BY,
        )


def seed(*, demo_staff: bool = False) -> Iterator[str]:
    # The version before its head, so a head is never seen without the version it names.
    yield put_missing(_items(), "inspection templates")
