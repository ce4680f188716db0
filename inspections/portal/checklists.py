"""Checklist templates (ADMIN): the list, a new checklist, and editing one, which publishes the next
version (inspections.templates). A plain structured form that works on a phone: a section is a
fieldset of item rows (label, kind, unit, remove), with blank rows to add items and a blank section."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from autolab.exceptions import ApplicationError, ValidationError
from autolab.permissions import staff_required
from bookings import selectors as booking_selectors
from inspections import selectors
from inspections.models import InspectionTemplate
from inspections.portal.common import KINDS, MANAGE, page
from inspections.templates import ItemSpec, PlanSpec, SectionSpec, template_create, template_update
from inspections.types import ItemKind
from staffapp.rendering import render_page

BLANK_ITEMS = 2  # blank item rows under each section
BLANK_SECTION_ITEMS = 3  # rows of the blank section at the end
MAX_ROWS = 400  # what one form may post (sections x items), above the service's own limits


@dataclass
class ItemRow:
    item_id: str = ""
    label: str = ""
    kind: str = ItemKind.RATING.value
    unit: str = ""
    remove: bool = False


@dataclass
class SectionRow:
    section_id: str = ""
    title: str = ""
    items: list[ItemRow] = field(default_factory=list)


def _rows(template: InspectionTemplate | None) -> list[SectionRow]:
    if template is None:
        return []
    return [
        SectionRow(
            section.section_id,
            section.title,
            [ItemRow(item.item_id, item.label, item.kind, item.unit or "") for item in section.items],
        )
        for section in template.sections or []
    ]


def _with_blanks(sections: list[SectionRow]) -> list[SectionRow]:
    """The sections as shown: blank rows to add items, and one blank section."""
    shown = [SectionRow(s.section_id, s.title, [*s.items, *(ItemRow() for _ in range(BLANK_ITEMS))]) for s in sections]
    return [*shown, SectionRow(items=[ItemRow() for _ in range(BLANK_SECTION_ITEMS)])]


def _count(request: HttpRequest, name: str) -> int:
    try:
        value = int(request.POST.get(name, "0"))
    except ValueError as error:
        raise ValidationError("The form was not sent whole; reload the page") from error
    if not 0 <= value <= MAX_ROWS:
        raise ValidationError("The form was not sent whole; reload the page")
    return value


def _posted(request: HttpRequest) -> list[SectionRow]:
    """The sections and items as posted (blank rows dropped), to show again or to publish."""
    sections = []
    for s in range(_count(request, "sections")):
        prefix = f"s{s}-"
        items = []
        for i in range(_count(request, f"{prefix}items")):
            item_prefix = f"{prefix}i{i}-"
            row = ItemRow(
                item_id=request.POST.get(f"{item_prefix}id", "").strip(),
                label=request.POST.get(f"{item_prefix}label", "").strip(),
                kind=request.POST.get(f"{item_prefix}kind", ItemKind.RATING.value),
                unit=request.POST.get(f"{item_prefix}unit", "").strip(),
                remove=bool(request.POST.get(f"{item_prefix}remove")),
            )
            if row.label or row.item_id:
                items.append(row)
        section = SectionRow(
            section_id=request.POST.get(f"{prefix}id", "").strip(),
            title=request.POST.get(f"{prefix}title", "").strip(),
            items=items,
        )
        if section.title or section.items or section.section_id:
            sections.append(section)
    return sections


def _specs(sections: list[SectionRow]) -> tuple[SectionSpec, ...]:
    specs = []
    for section in sections:
        items = []
        for row in section.items:
            if row.remove:
                continue
            if row.kind not in KINDS:
                raise ValidationError(f"Choose what the item {row.label or row.item_id!r} asks for")
            if not row.label:
                raise ValidationError("Every item needs a label (tick Remove to drop one)")
            items.append(ItemSpec(label=row.label, kind=ItemKind(row.kind), unit=row.unit, item_id=row.item_id or None))
        if not items and not section.title:
            continue
        specs.append(SectionSpec(title=section.title, items=tuple(items), section_id=section.section_id or None))
    return tuple(specs)


def _plans_posted(request: HttpRequest) -> tuple[PlanSpec, ...]:
    plans = []
    for value in request.POST.getlist("plan"):
        service_id, _, plan_id = value.partition(":")
        if not (service_id.isdigit() and plan_id.isdigit()):
            raise ValidationError("Choose plans from the list")
        plans.append(PlanSpec(service_id=int(service_id), plan_id=int(plan_id)))
    return tuple(plans)


def _plan_choices(chosen: set[tuple[int, int]]) -> list[dict[str, Any]]:
    return [
        {
            "value": f"{plan.service_id}:{plan.plan_id}",
            "label": f"{plan.service_name} - {plan.plan_name}",
            "checked": (plan.service_id, plan.plan_id) in chosen,
        }
        for plan in booking_selectors.service_price_list()
    ]


def _plan_names(template: InspectionTemplate) -> list[str]:
    names = {
        (plan.service_id, plan.plan_id): f"{plan.service_name} - {plan.plan_name}"
        for plan in booking_selectors.service_price_list()
    }
    return [
        names.get((plan.service_id, plan.plan_id), f"{plan.service_id}/{plan.plan_id}") for plan in template.plans or []
    ]


def edit_url(template_id: str) -> str:
    return reverse("admin:inspections-template", kwargs={"template_id": template_id})


@page("inspections/templates/", "inspections-templates", "Inspection checklists", MANAGE, order=30)
def checklist_list(request: HttpRequest) -> HttpResponse:
    rows = [
        {"t": head, "plans": _plan_names(head), "url": edit_url(head.template_id)}
        for head in sorted(selectors.template_list(), key=lambda head: (head.name or "").lower())
    ]
    return render_page(request, "inspections/checklist_list.html", {"rows": rows}, title="Inspection checklists")


def _editor(
    request: HttpRequest,
    *,
    title: str,
    head: InspectionTemplate | None,
    name: str,
    version: int,
    sections: list[SectionRow],
    chosen: set[tuple[int, int]],
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "head": head,
        "name": name,
        "version": version,
        "sections": _with_blanks(sections),
        "plans": _plan_choices(chosen),
        "kinds": list(KINDS.items()),
        "error": error,
    }
    response = render_page(request, "inspections/checklist_edit.html", context, title=title)
    response.status_code = status
    return response


def _chosen(plans: tuple[PlanSpec, ...]) -> set[tuple[int, int]]:
    return {(plan.service_id, plan.plan_id) for plan in plans}


@page("inspections/templates/new/", "inspections-template-new", "New checklist", MANAGE, order=31, in_index=False)
def checklist_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _editor(request, title="New checklist", head=None, name="", version=0, sections=[], chosen=set())
    name = request.POST.get("name", "")
    sections: list[SectionRow] = []
    plans: tuple[PlanSpec, ...] = ()
    try:
        sections = _posted(request)
        plans = _plans_posted(request)
        created = template_create(actor=staff_required(request), name=name, plans=plans, sections=_specs(sections))
    except ApplicationError as error:
        return _editor(
            request,
            title="New checklist",
            head=None,
            name=name,
            version=0,
            sections=sections,
            chosen=_chosen(plans),
            error=error.message,
            status=error.status_code,
        )
    messages.success(request, f"Checklist “{created.name}” created (version 1).")
    return redirect(edit_url(created.template_id))


@page("inspections/templates/<str:template_id>/", "inspections-template", "Checklist", MANAGE, order=32, in_index=False)
def checklist_edit(request: HttpRequest, template_id: str) -> HttpResponse:
    head = selectors.template_head(template_id, consistent_read=True)
    if head is None or not head.latest_version:
        raise Http404("Checklist not found")
    title = f"Checklist: {head.name}"
    if request.method != "POST":
        latest = selectors.template_version(template_id, head.latest_version)
        return _editor(
            request,
            title=title,
            head=head,
            name=head.name or "",
            version=head.latest_version,
            sections=_rows(latest),
            chosen={(plan.service_id, plan.plan_id) for plan in head.plans or []},
        )
    name = request.POST.get("name", "")
    sections: list[SectionRow] = []
    plans: tuple[PlanSpec, ...] = ()
    try:
        version = _count(request, "version")
        sections = _posted(request)
        plans = _plans_posted(request)
        published = template_update(
            actor=staff_required(request),
            template_id=template_id,
            version=version,
            name=name,
            plans=plans,
            sections=_specs(sections),
        )
    except ApplicationError as error:
        return _editor(
            request,
            title=title,
            head=head,
            name=name,
            version=int(shown) if (shown := request.POST.get("version", "")).isdigit() else head.latest_version,
            sections=sections,
            chosen=_chosen(plans),
            error=error.message,
            status=error.status_code,
        )
    messages.success(
        request, f"Version {published.version} published. Inspections already started keep the version they began with."
    )
    return redirect(edit_url(template_id))
