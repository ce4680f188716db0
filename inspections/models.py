"""Inspections (#15, docs/inspections.md): checklist templates, one inspection per appointment and
its item results. Declarations only; every write is in ``inspections.services``."""

from __future__ import annotations

from pynamodb.attributes import ListAttribute, MapAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from autolab.dynamodb import BaseMeta, DecimalAttribute, DynamoModel, IntegerAttribute, table_name
from inspections.types import InspectionStatus

HEAD_VERSION = 0  # the template's head item; versions 1, 2… are its immutable published copies
CATALOGUE = "templates"  # the head's catalogue-index key: every template in one Query
PLAN_POINTER_PREFIX = "plan#"  # templateId of the item saying which template a plan uses


def plan_pointer_id(service_id: int, plan_id: int) -> str:
    """The ``templateId`` of the item naming the template of plan (``service_id``, ``plan_id``)."""
    return f"{PLAN_POINTER_PREFIX}{service_id}#{plan_id}"


class PlanRef(MapAttribute):
    service_id = IntegerAttribute(attr_name="serviceId")
    plan_id = IntegerAttribute(attr_name="planId")


class TemplateItem(MapAttribute):
    item_id = UnicodeAttribute(attr_name="itemId")
    label = UnicodeAttribute(attr_name="label")
    kind = UnicodeAttribute(attr_name="kind")  # inspections.types.ItemKind
    unit = UnicodeAttribute(attr_name="unit", default="")


class TemplateSection(MapAttribute):
    section_id = UnicodeAttribute(attr_name="sectionId")
    title = UnicodeAttribute(attr_name="title")
    items = ListAttribute(of=TemplateItem, attr_name="items", default=list)


class TemplateCatalogueIndex(GlobalSecondaryIndex):
    """Sparse: only template heads carry ``catalogue``, so the list is one Query of the heads."""

    class Meta:
        index_name = "catalogue-templateId-index"
        projection = AllProjection()

    catalogue = UnicodeAttribute(hash_key=True, attr_name="catalogue")
    template_id = UnicodeAttribute(range_key=True, attr_name="templateId")


class InspectionTemplate(DynamoModel):
    """One item per (template, version). Version 0 is the head: name, plans and ``latestVersion``,
    moved only by a write conditioned on the ``latestVersion`` it read. Versions 1… hold the
    sections and items as published, never changed. A plan pointer (``templateId`` =
    ``plan#<serviceId>#<planId>``, version 0, ``planTemplateId``) names the one template of a plan."""

    logical_name = "InspectionTemplates"

    class Meta(BaseMeta):
        table_name = table_name("InspectionTemplates")

    template_id = UnicodeAttribute(hash_key=True, attr_name="templateId")
    version = IntegerAttribute(range_key=True, attr_name="version")
    name = UnicodeAttribute(attr_name="name", null=True)
    plans = ListAttribute(of=PlanRef, attr_name="plans", null=True)
    # Head only.
    latest_version = IntegerAttribute(attr_name="latestVersion", null=True)
    catalogue = UnicodeAttribute(attr_name="catalogue", null=True)
    # Published versions only.
    sections = ListAttribute(of=TemplateSection, attr_name="sections", null=True)
    # Plan pointers only.
    plan_template_id = UnicodeAttribute(attr_name="planTemplateId", null=True)
    created_at = IntegerAttribute(attr_name="createdAt", null=True)
    updated_at = IntegerAttribute(attr_name="updatedAt", null=True)
    updated_by = UnicodeAttribute(attr_name="updatedBy", null=True)

    catalogue_index = TemplateCatalogueIndex()


class InspectionVinIndex(GlobalSecondaryIndex):
    """Sparse: inspections whose VIN was captured, by start time (newest first: a reversed Query)."""

    class Meta:
        index_name = "vin-startedAt-index"
        projection = AllProjection()

    vin = UnicodeAttribute(hash_key=True, attr_name="vin")
    started_at = IntegerAttribute(range_key=True, attr_name="startedAt")


class InspectionSubmittedIndex(GlobalSecondaryIndex):
    """Sparse: submitted (and reported) inspections by submission time; the PDF reconciler reads the
    ``submitted`` partition, the review queue the newest."""

    class Meta:
        index_name = "status-submittedAt-index"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True, attr_name="status")
    submitted_at = IntegerAttribute(range_key=True, attr_name="submittedAt")


class Inspection(DynamoModel):
    """The inspection of one appointment: the template version it started with (kept whatever is
    published later), the vehicle facts captured on site, the verdict and summary."""

    logical_name = "Inspections"

    class Meta(BaseMeta):
        table_name = table_name("Inspections")

    appointment_id = UnicodeAttribute(hash_key=True, attr_name="appointmentId")
    template_id = UnicodeAttribute(attr_name="templateId")
    template_version = IntegerAttribute(attr_name="templateVersion")
    template_name = UnicodeAttribute(attr_name="templateName")
    status = UnicodeAttribute(attr_name="status", default=InspectionStatus.IN_PROGRESS.value)
    submission = IntegerAttribute(attr_name="submission", default=0)  # 1, 2… counts submits
    mechanic_id = UnicodeAttribute(attr_name="mechanicId", null=True)  # the appointment's, at start
    started_by = UnicodeAttribute(attr_name="startedBy")
    started_at = IntegerAttribute(attr_name="startedAt")
    submitted_at = IntegerAttribute(attr_name="submittedAt", null=True)  # sparse GSI key
    submitted_by = UnicodeAttribute(attr_name="submittedBy", null=True)
    odometer = IntegerAttribute(attr_name="odometer", null=True)  # km
    vin = UnicodeAttribute(attr_name="vin", null=True)  # sparse GSI key, normalised (bookings.vehicles)
    registration = UnicodeAttribute(attr_name="registration", null=True)
    verdict = UnicodeAttribute(attr_name="verdict", null=True)  # inspections.types.Verdict
    summary = UnicodeAttribute(attr_name="summary", null=True)
    report_key = UnicodeAttribute(attr_name="reportKey", null=True)
    updated_at = IntegerAttribute(attr_name="updatedAt")
    updated_by = UnicodeAttribute(attr_name="updatedBy", null=True)
    # Header writes and submit are conditioned on ``version`` (moved by hand: a VersionAttribute
    # would move with every item write too, which only bumps ``itemWrites``).
    version = IntegerAttribute(attr_name="version", default=1)
    # Every answer or photo write adds 1 in its transaction; submit is conditioned on the count its
    # completeness check read, so an item changed meanwhile makes the submit re-check.
    item_writes = IntegerAttribute(attr_name="itemWrites", default=0)

    vin_index = InspectionVinIndex()
    submitted_index = InspectionSubmittedIndex()


class ItemPhoto(MapAttribute):
    photo_id = UnicodeAttribute(attr_name="photoId")  # chosen by the client: a retried upload is stored once
    key = UnicodeAttribute(attr_name="key")  # autolab.storage key of the ≤ 1600 px JPEG
    thumb_key = UnicodeAttribute(attr_name="thumbKey")  # the 400 px one
    width = IntegerAttribute(attr_name="width")
    height = IntegerAttribute(attr_name="height")
    added_at = IntegerAttribute(attr_name="addedAt")
    added_by = UnicodeAttribute(attr_name="addedBy")


class InspectionItem(DynamoModel):
    """One checklist item's result. ``version`` counts answer saves (rating, value, text), each
    conditioned on the version the device saw. Photos are a list in upload order with their ids
    in ``photoIds`` (a string set): an add is conditioned on its id being absent and fewer than 10
    there, a delete on the list position still holding that id, so photos never clash with answers."""

    logical_name = "InspectionItems"

    class Meta(BaseMeta):
        table_name = table_name("InspectionItems")

    appointment_id = UnicodeAttribute(hash_key=True, attr_name="appointmentId")
    item_id = UnicodeAttribute(range_key=True, attr_name="itemId")
    rating = UnicodeAttribute(attr_name="rating", null=True)  # inspections.types.Rating
    value = DecimalAttribute(attr_name="value", null=True)
    text = UnicodeAttribute(attr_name="text", null=True)
    photos = ListAttribute(of=ItemPhoto, attr_name="photos", default=list)
    photo_ids = UnicodeSetAttribute(attr_name="photoIds", null=True)  # DynamoDB keeps no empty set
    version = IntegerAttribute(attr_name="version", default=0)
    updated_by = UnicodeAttribute(attr_name="updatedBy", null=True)
    updated_at = IntegerAttribute(attr_name="updatedAt", null=True)
