from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from autolab import audit
from autolab.exceptions import Conflict, PermissionDenied, ValidationError
from inspections import selectors, services, templates
from inspections.models import HEAD_VERSION, InspectionTemplate, plan_pointer_id
from inspections.templates import ItemSpec, PlanSpec, SectionSpec
from inspections.types import ItemKind

SECTIONS = (
    SectionSpec(
        title="Battery",
        items=(
            ItemSpec(label="Voltage", kind=ItemKind.MEASUREMENT, unit="V"),
            ItemSpec(label="Terminals", kind=ItemKind.RATING),
        ),
    ),
)


def create(admin, plans=((2, 1),), sections=SECTIONS, name="Battery check"):
    return templates.template_create(
        actor=admin.identity, name=name, plans=tuple(PlanSpec(*plan) for plan in plans), sections=sections
    )


def edited(template, extra_label="Alternator output"):
    """The template's sections as an editor sends them back (ids kept) plus one new item."""
    sections = []
    for section in template.sections:
        items = [ItemSpec(label=i.label, kind=ItemKind(i.kind), unit=i.unit, item_id=i.item_id) for i in section.items]
        sections.append(SectionSpec(title=section.title, items=tuple(items), section_id=section.section_id))
    first = sections[0]
    sections[0] = SectionSpec(
        title=first.title,
        section_id=first.section_id,
        items=(*first.items, ItemSpec(label=extra_label, kind=ItemKind.MEASUREMENT, unit="V")),
    )
    return tuple(sections)


def update(admin, template, version=None, **kwargs):
    return templates.template_update(
        actor=admin.identity,
        template_id=template.template_id,
        version=template.version if version is None else version,
        name=kwargs.get("name", template.name),
        plans=tuple(PlanSpec(p.service_id, p.plan_id) for p in template.plans),
        sections=kwargs.get("sections", edited(template)),
    )


def test_create_gives_ids_and_version_one(admin) -> None:
    template = create(admin)
    assert template.version == 1
    [section] = template.sections
    assert [item.kind for item in section.items] == ["measurement", "rating"]
    assert section.items[0].unit == "V"
    assert section.items[1].unit == ""
    assert len({section.section_id, *(item.item_id for item in section.items)}) == 3
    head = InspectionTemplate.get(template.template_id, HEAD_VERSION)
    assert (head.latest_version, head.name) == (1, "Battery check")
    assert InspectionTemplate.get(plan_pointer_id(2, 1), HEAD_VERSION).plan_template_id == template.template_id
    assert {head.template_id for head in selectors.template_list()} == {"pre-purchase", template.template_id}
    assert audit.history("inspection_template", template.template_id).entries[0].action == "inspection_template.create"


def test_only_admins_manage_templates(mechanic, support) -> None:
    for persona in (mechanic, support):
        with pytest.raises(PermissionDenied):
            create(persona)


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ((), "at least one section"),
        ((SectionSpec(title="Empty", items=()),), "has no items"),
        ((SectionSpec(title="T", items=(ItemSpec(label="Depth", kind=ItemKind.MEASUREMENT),)),), "needs a unit"),
        ((SectionSpec(title="T", items=(ItemSpec(label="  ", kind=ItemKind.TEXT),)),), "label is required"),
        (
            (
                SectionSpec(
                    title="T",
                    items=(
                        ItemSpec(label="A", kind=ItemKind.TEXT, item_id="same"),
                        ItemSpec(label="B", kind=ItemKind.TEXT, item_id="same"),
                    ),
                ),
            ),
            "used twice",
        ),
        ((SectionSpec(title="T", items=(ItemSpec(label="A", kind=ItemKind.TEXT, item_id="Bad Id!"),)),), "lower-case"),
    ],
)
def test_bad_templates_are_refused(admin, sections, message) -> None:
    with pytest.raises(ValidationError, match=message):
        create(admin, sections=sections)


def test_a_plan_has_one_template(admin) -> None:
    with pytest.raises(Conflict, match=r"Plan \(1, 2\) already has another checklist"):
        create(admin, plans=((1, 2),))
    with pytest.raises(ValidationError, match="No service plan"):
        create(admin, plans=((99, 1),))


def test_a_new_version_keeps_item_ids_and_started_inspections_keep_theirs(admin, mechanic, job, make_job) -> None:
    started = services.inspection_start(actor=mechanic.identity, appointment_id=job).inspection
    v1 = selectors.template_version("pre-purchase", 1)
    v2 = update(admin, v1)
    assert v2.version == 2
    v1_items, v2_items = selectors.template_items(v1), selectors.template_items(v2)
    [new_item] = set(v2_items) - set(v1_items)
    assert [i for i in v2_items if i != new_item] == list(v1_items)  # every id kept, in order
    assert list(selectors.template_items(selectors.template_version("pre-purchase", 1))) == list(v1_items)
    assert InspectionTemplate.get("pre-purchase", HEAD_VERSION).latest_version == 2

    assert selectors.inspection_get(job).template_version == started.template_version == 1
    later = services.inspection_start(actor=mechanic.identity, appointment_id=make_job()).inspection
    assert later.template_version == 2
    with pytest.raises(services.NotFound):  # the old inspection's checklist has no such item
        services.item_save(
            actor=mechanic.identity,
            appointment_id=job,
            item_id=new_item,
            template_version=1,
            version=0,
            answer=services.ItemAnswer(value=None),
        )


def test_two_editors_of_one_version_one_wins(admin, make_staff) -> None:
    other = make_staff("ADMIN", name="Other Admin")
    v1 = selectors.template_version("pre-purchase", 1)

    def edit(persona, label):
        try:
            return update(persona, v1, sections=edited(v1, label)).version
        except Conflict as error:
            return error.status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(lambda args: edit(*args), [(admin, "Edit A"), (other, "Edit B")]), key=str)
    assert results == [2, 409]
    with pytest.raises(Conflict, match="at version 2, not 1"):
        update(admin, v1)


def test_dropping_a_plan_frees_it(admin) -> None:
    template = create(admin, plans=((2, 1), (3, 1)))
    sections = tuple(
        SectionSpec(
            title=s.title,
            section_id=s.section_id,
            items=tuple(
                ItemSpec(label=i.label, kind=ItemKind(i.kind), unit=i.unit, item_id=i.item_id) for i in s.items
            ),
        )
        for s in template.sections
    )
    templates.template_update(
        actor=admin.identity,
        template_id=template.template_id,
        version=1,
        name="Battery only",
        plans=(PlanSpec(2, 1),),
        sections=sections,
    )
    assert InspectionTemplate.get_or_none(plan_pointer_id(3, 1), HEAD_VERSION) is None
    assert create(admin, plans=((3, 1),), name="Service check").version == 1
