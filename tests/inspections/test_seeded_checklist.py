from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from autolab import dynamodb
from inspections.models import HEAD_VERSION, InspectionTemplate, plan_pointer_id
from inspections.types import ItemKind


def _seed() -> str:
    out = StringIO()
    call_command("seed", stdout=out)
    return out.getvalue()


def test_create_tables_knows_the_inspection_tables() -> None:
    names = {model.logical_name for model in dynamodb.registered_models()}
    assert {"InspectionTemplates", "Inspections", "InspectionItems"} <= names
    for model in (InspectionTemplate,):
        assert model.exists()


def test_seed_publishes_the_pre_purchase_checklist_once_for_its_plans(db) -> None:
    # conftest's ``seeded`` ran the inspections seed once already: the command adds nothing more.
    assert "inspection templates: 0 created, 5 already present (kept)" in _seed()
    head = InspectionTemplate.get("pre-purchase", HEAD_VERSION)
    assert (head.latest_version, head.catalogue) == (1, "templates")
    published = InspectionTemplate.get("pre-purchase", 1)
    sections = published.sections or []
    items = [item for section in sections for item in section.items]
    assert 10 <= len(sections) <= 12
    assert 75 <= len(items) <= 90
    assert {item.kind for item in items} == {kind.value for kind in ItemKind}
    assert len({item.item_id for item in items}) == len(items)
    units = {item.label: item.unit for item in items if item.kind == ItemKind.MEASUREMENT}
    assert units["Front left tread depth"] == "mm"
    assert units["Front tyre pressure"] == "kPa"
    assert units["Battery voltage (engine off)"] == "V"
    titles = " ".join(section.title for section in sections).lower()
    for word in (
        "body",
        "bonnet",
        "engine",
        "transmission",
        "brakes",
        "suspension",
        "tyres",
        "obd",
        "interior",
        "road",
        "documents",
    ):
        assert word in titles
    for service_id, plan_id in ((1, 1), (1, 2), (1, 3)):
        assert (
            InspectionTemplate.get(plan_pointer_id(service_id, plan_id), HEAD_VERSION).plan_template_id
            == "pre-purchase"
        )
    heads = list(InspectionTemplate.catalogue_index.query("templates"))
    assert [h.template_id for h in heads] == ["pre-purchase"]

    head.update(actions=[InspectionTemplate.name.set("Edited by an admin")])
    InspectionTemplate(template_id=plan_pointer_id(1, 3), version=HEAD_VERSION).delete()
    assert "inspection templates: 1 created, 4 already present (kept)" in _seed()
    assert InspectionTemplate.get("pre-purchase", HEAD_VERSION).name == "Edited by an admin"
