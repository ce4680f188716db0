"""The inspections API's wire format: input serializers that hand services typed values, the JSON of
templates, inspections and items, and their OpenAPI shapes (docs/inspections.md, "API")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from autolab import storage
from autolab.api import SuccessOut
from inspections.models import Inspection, InspectionItem, InspectionTemplate, ItemPhoto
from inspections.services import HEADER_FIELDS, InspectionChanges, ItemAnswer
from inspections.templates import ItemSpec as TemplateItemSpec
from inspections.templates import PlanSpec, SectionSpec
from inspections.types import ITEM_KINDS, ItemKind, Rating, Verdict

_STR = serializers.CharField
_INT = serializers.IntegerField

# --- JSON out ------------------------------------------------------------------------------------


def _number(value: Decimal | None) -> int | float | None:
    """A measurement as a JSON number, exactly as entered (not rounded to cents)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _plans(template: InspectionTemplate) -> list[dict[str, int]]:
    return [{"serviceId": plan.service_id, "planId": plan.plan_id} for plan in template.plans or []]


def template_head_json(head: InspectionTemplate) -> dict[str, Any]:
    return {
        "templateId": head.template_id,
        "name": head.name,
        "plans": _plans(head),
        "latestVersion": head.latest_version,
        "updatedAt": head.updated_at,
    }


def template_json(template: InspectionTemplate) -> dict[str, Any]:
    """A published version with its sections and items."""
    return {
        "templateId": template.template_id,
        "version": template.version,
        "name": template.name,
        "plans": _plans(template),
        "sections": [
            {
                "sectionId": section.section_id,
                "title": section.title,
                "items": [
                    {"itemId": item.item_id, "label": item.label, "kind": item.kind, "unit": item.unit or ""}
                    for item in section.items
                ],
            }
            for section in template.sections or []
        ],
    }


def inspection_json(inspection: Inspection) -> dict[str, Any]:
    return {
        "appointmentId": inspection.appointment_id,
        "templateId": inspection.template_id,
        "templateVersion": inspection.template_version,
        "templateName": inspection.template_name,
        "status": inspection.status,
        "submission": inspection.submission,
        "mechanicId": inspection.mechanic_id,
        "startedAt": inspection.started_at,
        "submittedAt": inspection.submitted_at,
        "odometer": inspection.odometer,
        "vin": inspection.vin,
        "registration": inspection.registration,
        "verdict": inspection.verdict,
        "summary": inspection.summary,
        "version": inspection.version,
        "reportKey": inspection.report_key,
    }


def photo_json(photo: ItemPhoto) -> dict[str, Any]:
    """A photo with fresh signed, expiring links to the image and its thumbnail."""
    return {
        "photoId": photo.photo_id,
        "url": storage.download_url(photo.key),
        "thumbUrl": storage.download_url(photo.thumb_key),
        "width": photo.width,
        "height": photo.height,
    }


def item_json(item: InspectionItem | None, item_id: str | None = None) -> dict[str, Any] | None:
    """An item's stored result (None when ``item`` is None and no ``item_id`` is given)."""
    if item is None:
        if item_id is None:
            return None
        return {
            "itemId": item_id,
            "rating": None,
            "value": None,
            "text": None,
            "photos": [],
            "version": 0,
            "updatedBy": None,
            "updatedAt": None,
        }
    return {
        "itemId": item.item_id,
        "rating": item.rating,
        "value": _number(item.value),
        "text": item.text,
        "photos": [photo_json(photo) for photo in item.photos or []],
        "version": item.version or 0,
        "updatedBy": item.updated_by,
        "updatedAt": item.updated_at,
    }


# --- Input ------------------------------------------------------------------------------------------


class PlanInput(serializers.Serializer):
    serviceId = _INT(min_value=1, max_value=10_000)
    planId = _INT(min_value=1, max_value=10_000)


class TemplateItemInput(serializers.Serializer):
    itemId = _STR(required=False, max_length=40)
    label = _STR(max_length=200)  # type: ignore[assignment]  # the wire's field, not DRF's Field.label
    kind = serializers.ChoiceField(choices=ITEM_KINDS)
    unit = _STR(required=False, allow_blank=True, max_length=20, default="")


class TemplateSectionInput(serializers.Serializer):
    sectionId = _STR(required=False, max_length=40)
    title = _STR(max_length=200)
    items = TemplateItemInput(many=True)


class TemplateInput(serializers.Serializer):
    name = _STR(max_length=120)
    plans = PlanInput(many=True)
    sections = TemplateSectionInput(many=True)

    def to_specs(self) -> dict[str, Any]:
        data = self.validated_data
        return {
            "name": data["name"],
            "plans": tuple(PlanSpec(service_id=p["serviceId"], plan_id=p["planId"]) for p in data["plans"]),
            "sections": tuple(
                SectionSpec(
                    title=section["title"],
                    section_id=section.get("sectionId"),
                    items=tuple(
                        TemplateItemSpec(
                            label=item["label"],
                            kind=ItemKind(item["kind"]),
                            unit=item.get("unit") or "",
                            item_id=item.get("itemId"),
                        )
                        for item in section["items"]
                    ),
                )
                for section in data["sections"]
            ),
        }


class TemplateUpdateInput(TemplateInput):
    version = _INT(min_value=1, help_text="The latest version the editor saw")


class TemplateVersionQuery(serializers.Serializer):
    version = _INT(required=False, min_value=1, max_value=1_000_000)


class ItemSaveInput(serializers.Serializer):
    templateVersion = _INT(min_value=1, max_value=1_000_000)
    version = _INT(min_value=0, max_value=1_000_000_000, help_text="The item version last seen; 0 = never saved")
    rating = serializers.ChoiceField(choices=[rating.value for rating in Rating], required=False, allow_null=True)
    value = serializers.DecimalField(max_digits=10, decimal_places=3, required=False, allow_null=True)
    text = _STR(required=False, allow_null=True, allow_blank=True, max_length=2000)

    def to_answer(self) -> ItemAnswer:
        data = self.validated_data
        rating = data.get("rating")
        return ItemAnswer(rating=Rating(rating) if rating else None, value=data.get("value"), text=data.get("text"))


class InspectionPatchInput(serializers.Serializer):
    version = _INT(min_value=1, max_value=1_000_000_000)
    odometer = _INT(required=False, allow_null=True, min_value=0, max_value=3_000_000)
    vin = _STR(required=False, allow_null=True, allow_blank=True, max_length=30)
    registration = _STR(required=False, allow_null=True, allow_blank=True, max_length=20)
    verdict = serializers.ChoiceField(choices=[verdict.value for verdict in Verdict], required=False, allow_null=True)
    summary = _STR(required=False, allow_null=True, allow_blank=True, max_length=5000)

    def to_changes(self) -> InspectionChanges:
        data = self.validated_data
        given = frozenset(name for name in HEADER_FIELDS if name in data)
        verdict = data.get("verdict")
        return InspectionChanges(
            given=given,
            odometer=data.get("odometer"),
            vin=data.get("vin"),
            registration=data.get("registration"),
            verdict=Verdict(verdict) if verdict else None,
            summary=data.get("summary"),
        )


class PhotoInput(serializers.Serializer):
    photo = serializers.FileField(max_length=255, allow_empty_file=False)
    photoId = _STR(max_length=64)


class SubmitInput(serializers.Serializer):
    version = _INT(min_value=1, max_value=1_000_000_000)


class VinQuery(serializers.Serializer):
    vin = _STR(max_length=30)


class CompareQuery(serializers.Serializer):
    a = _STR(max_length=64)
    b = _STR(max_length=64)


# --- OpenAPI shapes ---------------------------------------------------------------------------------


class ChecklistPlanOut(serializers.Serializer):
    serviceId = _INT()
    planId = _INT()


class TemplateHeadOut(serializers.Serializer):
    templateId = _STR()
    name = _STR()
    plans = ChecklistPlanOut(many=True)
    latestVersion = _INT()
    updatedAt = _INT(allow_null=True)


class TemplateListOut(SuccessOut):
    templates = TemplateHeadOut(many=True)


class TemplateItemOut(serializers.Serializer):
    itemId = _STR()
    label = _STR()  # type: ignore[assignment]  # the wire's field, not DRF's Field.label
    kind = serializers.ChoiceField(choices=ITEM_KINDS)
    unit = _STR(allow_blank=True)


class TemplateSectionOut(serializers.Serializer):
    sectionId = _STR()
    title = _STR()
    items = TemplateItemOut(many=True)


class TemplateBodyOut(serializers.Serializer):
    templateId = _STR()
    version = _INT()
    name = _STR()
    plans = ChecklistPlanOut(many=True)
    sections = TemplateSectionOut(many=True)


class TemplateOut(SuccessOut, TemplateBodyOut):
    """A checklist version as its own answer (the body, plus ``success``)."""


class InspectionOut(serializers.Serializer):
    appointmentId = _STR()
    templateId = _STR()
    templateVersion = _INT()
    templateName = _STR()
    status = _STR()
    submission = _INT()
    mechanicId = _STR(allow_null=True)
    startedAt = _INT()
    submittedAt = _INT(allow_null=True)
    odometer = _INT(allow_null=True)
    vin = _STR(allow_null=True)
    registration = _STR(allow_null=True)
    verdict = _STR(allow_null=True)
    summary = _STR(allow_null=True)
    version = _INT()
    reportKey = _STR(allow_null=True)


class PhotoOut(serializers.Serializer):
    photoId = _STR()
    url = _STR()
    thumbUrl = _STR()
    width = _INT()
    height = _INT()


class ItemOut(serializers.Serializer):
    itemId = _STR()
    rating = _STR(allow_null=True)
    value = serializers.FloatField(allow_null=True)
    text = _STR(allow_null=True)
    photos = PhotoOut(many=True)
    version = _INT()
    updatedBy = _STR(allow_null=True)
    updatedAt = _INT(allow_null=True)


class InspectionDocumentOut(SuccessOut):
    inspection = InspectionOut()


class InspectionFullOut(SuccessOut):
    inspection = InspectionOut()
    template = TemplateBodyOut()
    items = ItemOut(many=True)


class ItemDocumentOut(SuccessOut):
    item = ItemOut()


class PhotoAddedOut(SuccessOut):
    photo = PhotoOut()
    item = ItemOut()


class StaleItemOut(serializers.Serializer):
    success = serializers.BooleanField()
    message = _STR()
    item = ItemOut(allow_null=True)


class StaleInspectionOut(serializers.Serializer):
    success = serializers.BooleanField()
    message = _STR()
    inspection = InspectionOut(allow_null=True)


class IncompleteOut(serializers.Serializer):
    # Submit's 400: what is missing when the inspection is incomplete; a bad body has only the message.
    success = serializers.BooleanField()
    message = _STR()
    missing = serializers.ListField(child=_STR(), required=False)
    missingFields = serializers.ListField(child=_STR(), required=False)


class InspectionListOut(SuccessOut):
    inspections = InspectionOut(many=True)


class CompareRowOut(serializers.Serializer):
    section = _STR()
    label = _STR()  # type: ignore[assignment]  # the wire's field, not DRF's Field.label
    kind = _STR()
    a = serializers.DictField(allow_null=True)
    b = serializers.DictField(allow_null=True)
    changed = serializers.BooleanField()


class CompareOut(SuccessOut):
    a = InspectionOut()
    b = InspectionOut()
    rows = CompareRowOut(many=True)
