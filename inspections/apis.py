"""Inspections API (staff only, thin): docs/inspections.md, "API"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autolab.api import ok, validated_query
from autolab.exceptions import Conflict, NotFound, ValidationError
from autolab.permissions import IsStaff, Permission, staff_required, staff_with
from autolab.vehicle_ids import clean_vin
from inspections import selectors, services, templates
from inspections import serializers as s
from inspections.photos import MAX_INPUT_BYTES

T = TypeVar("T")
S = TypeVar("S", bound=serializers.Serializer)
ERRORS = {
    400: OpenApiResponse(description="Invalid input: {success: false, message}"),
    403: OpenApiResponse(description="Not allowed (a mechanic on another's job)"),
    404: OpenApiResponse(description="Unknown appointment, inspection, template or item"),
}
FILL = staff_with(Permission.INSPECTION_FILL)
VIEW = staff_with(Permission.APPOINTMENT_VIEW_ALL, Permission.APPOINTMENT_VIEW_ASSIGNED)
MANAGE = staff_with(Permission.INSPECTION_TEMPLATES_MANAGE)


def _body(serializer_class: type[S], request: Request) -> S:
    """The request body through its input serializer; a DRF error is the 400 envelope."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer


def _stale_items(call: Callable[[], T]) -> T:
    """A stale item save answers 409 with the stored item beside the message."""
    try:
        return call()
    except services.StaleItem as error:
        raise Conflict(error.message, {"item": s.item_json(error.item)}) from error


def _stale_inspection(call: Callable[[], T]) -> T:
    try:
        return call()
    except services.StaleInspection as error:
        stored = s.inspection_json(error.inspection) if error.inspection is not None else None
        raise Conflict(error.message, {"inspection": stored}) from error


# --- Templates -----------------------------------------------------------------------------------


class TemplatesApi(APIView):
    """GET every checklist (any staff); POST a new one at version 1 (ADMIN)."""

    def get_permissions(self) -> list:
        return [MANAGE()] if self.request.method == "POST" else [IsStaff()]

    @extend_schema(operation_id="inspection_templates_list", responses={200: s.TemplateListOut})
    def get(self, request: Request) -> Response:
        return ok({"templates": [s.template_head_json(head) for head in selectors.template_list()]})

    @extend_schema(
        operation_id="inspection_templates_create",
        request=s.TemplateInput,
        responses={201: s.TemplateOut, 409: OpenApiResponse(description="A plan already has a checklist"), **ERRORS},
    )
    def post(self, request: Request) -> Response:
        specs = _body(s.TemplateInput, request).to_specs()
        template = templates.template_create(actor=staff_required(request), **specs)
        return ok(s.template_json(template), status=201)


class TemplateDetailApi(APIView):
    """GET one checklist version (the latest unless ?version=N); PUT publishes version N+1 (ADMIN)."""

    def get_permissions(self) -> list:
        return [MANAGE()] if self.request.method == "PUT" else [IsStaff()]

    @extend_schema(
        operation_id="inspection_templates_get",
        parameters=[s.TemplateVersionQuery],
        responses={200: s.TemplateOut, 404: ERRORS[404]},
    )
    def get(self, request: Request, template_id: str) -> Response:
        version = validated_query(s.TemplateVersionQuery, request).get("version")
        template = (
            selectors.template_version(template_id, version) if version else selectors.template_latest(template_id)
        )
        if template is None:
            raise NotFound("Checklist not found")
        return ok(s.template_json(template))

    @extend_schema(
        operation_id="inspection_templates_update",
        request=s.TemplateUpdateInput,
        responses={200: s.TemplateOut, 409: OpenApiResponse(description="Another edit came first"), **ERRORS},
    )
    def put(self, request: Request, template_id: str) -> Response:
        body = _body(s.TemplateUpdateInput, request)
        template = templates.template_update(
            actor=staff_required(request),
            template_id=template_id,
            version=body.validated_data["version"],
            **body.to_specs(),
        )
        return ok(s.template_json(template))


# --- One appointment's inspection ------------------------------------------------------------------


class InspectionApi(APIView):
    """POST starts (201, or 200 with the existing one); GET reads it with its checklist and items;
    PATCH changes the header (vehicle facts, verdict, summary), conditioned on ``version``."""

    def get_permissions(self) -> list:
        return [VIEW()] if self.request.method == "GET" else [FILL()]

    @extend_schema(
        operation_id="inspections_start",
        request=None,
        responses={201: s.InspectionDocumentOut, 200: s.InspectionDocumentOut, 409: OpenApiResponse(), **ERRORS},
    )
    def post(self, request: Request, appointment_id: str) -> Response:
        started = services.inspection_start(actor=staff_required(request), appointment_id=appointment_id)
        return ok({"inspection": s.inspection_json(started.inspection)}, status=201 if started.created else 200)

    @extend_schema(operation_id="inspections_get", responses={200: s.InspectionFullOut, **ERRORS})
    def get(self, request: Request, appointment_id: str) -> Response:
        view = selectors.inspection_view(staff_required(request), appointment_id)
        items = [s.item_json(view.items.get(item_id), item_id) for item_id in selectors.template_items(view.template)]
        return ok(
            {
                "inspection": s.inspection_json(view.inspection),
                "template": s.template_json(view.template),
                "items": items,
            }
        )

    @extend_schema(
        operation_id="inspections_update",
        request=s.InspectionPatchInput,
        responses={200: s.InspectionDocumentOut, 409: s.StaleInspectionOut, **ERRORS},
    )
    def patch(self, request: Request, appointment_id: str) -> Response:
        body = _body(s.InspectionPatchInput, request)
        inspection = _stale_inspection(
            lambda: services.inspection_update(
                actor=staff_required(request),
                appointment_id=appointment_id,
                version=body.validated_data["version"],
                changes=body.to_changes(),
            )
        )
        return ok({"inspection": s.inspection_json(inspection)})


class InspectionItemApi(APIView):
    """PUT one item's answer, conditioned on the checklist and item versions (409 with the stored item)."""

    permission_classes = [FILL]

    @extend_schema(
        operation_id="inspection_items_save",
        request=s.ItemSaveInput,
        responses={200: s.ItemDocumentOut, 409: s.StaleItemOut, **ERRORS},
    )
    def put(self, request: Request, appointment_id: str, item_id: str) -> Response:
        body = _body(s.ItemSaveInput, request)
        item = _stale_items(
            lambda: services.item_save(
                actor=staff_required(request),
                appointment_id=appointment_id,
                item_id=item_id,
                template_version=body.validated_data["templateVersion"],
                version=body.validated_data["version"],
                answer=body.to_answer(),
            )
        )
        return ok({"item": s.item_json(item)})


class InspectionPhotosApi(APIView):
    """POST one photo (multipart ``photo`` + ``photoId``): 201, or 200 when that photoId is stored."""

    permission_classes = [FILL]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="inspection_photos_add",
        request={"multipart/form-data": s.PhotoInput},
        responses={201: s.PhotoAddedOut, 200: s.PhotoAddedOut, **ERRORS},
    )
    def post(self, request: Request, appointment_id: str, item_id: str) -> Response:
        body = _body(s.PhotoInput, request).validated_data
        upload = body["photo"]
        if upload.size > MAX_INPUT_BYTES:
            raise ValidationError("The photo is larger than 15 MB")
        added = services.photo_add(
            actor=staff_required(request),
            appointment_id=appointment_id,
            item_id=item_id,
            photo_id=body["photoId"],
            data=upload.read(),
        )
        data = {"photo": s.photo_json(added.photo), "item": s.item_json(added.item)}
        return ok(data, status=201 if added.created else 200)


class InspectionPhotoApi(APIView):
    permission_classes = [FILL]

    @extend_schema(operation_id="inspection_photos_delete", responses={200: s.ItemDocumentOut, **ERRORS})
    def delete(self, request: Request, appointment_id: str, item_id: str, photo_id: str) -> Response:
        item = services.photo_delete(
            actor=staff_required(request), appointment_id=appointment_id, item_id=item_id, photo_id=photo_id
        )
        return ok({"item": s.item_json(item)})


class InspectionSubmitApi(APIView):
    """POST locks the inspection once complete (202); 400 lists the items still unanswered."""

    permission_classes = [FILL]

    @extend_schema(
        operation_id="inspections_submit",
        request=s.SubmitInput,
        responses={
            202: s.InspectionDocumentOut,
            400: s.IncompleteOut,
            409: s.StaleInspectionOut,
            403: ERRORS[403],
            404: ERRORS[404],
        },
    )
    def post(self, request: Request, appointment_id: str) -> Response:
        version = _body(s.SubmitInput, request).validated_data["version"]
        inspection = _stale_inspection(
            lambda: services.inspection_submit(
                actor=staff_required(request), appointment_id=appointment_id, version=version
            )
        )
        return ok({"inspection": s.inspection_json(inspection)}, status=202)


# --- Across inspections ------------------------------------------------------------------------------


class InspectionsByVinApi(APIView):
    """GET ?vin=: a car's inspections newest first (a mechanic sees their own jobs' only)."""

    permission_classes = [VIEW]

    @extend_schema(
        operation_id="inspections_by_vin",
        parameters=[s.VinQuery],
        responses={200: s.InspectionListOut, 400: ERRORS[400]},
    )
    def get(self, request: Request) -> Response:
        vin = clean_vin(validated_query(s.VinQuery, request)["vin"])
        found = selectors.inspections_for_vin_visible(staff_required(request), vin)
        return ok({"inspections": [s.inspection_json(inspection) for inspection in found]})


class InspectionsCompareApi(APIView):
    """GET ?a=&b=: two inspections item by item, with what changed."""

    permission_classes = [VIEW]

    @extend_schema(
        operation_id="inspections_compare",
        parameters=[OpenApiParameter("a", str, required=True), OpenApiParameter("b", str, required=True)],
        responses={200: s.CompareOut, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        query = validated_query(s.CompareQuery, request)
        comparison = selectors.inspections_compare(staff_required(request), query["a"], query["b"])
        rows: list[dict[str, Any]] = [
            {"section": r.section, "label": r.label, "kind": r.kind, "a": r.a, "b": r.b, "changed": r.changed}
            for r in comparison.rows
        ]
        return ok({"a": s.inspection_json(comparison.a), "b": s.inspection_json(comparison.b), "rows": rows})
