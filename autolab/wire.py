"""DRF input serializers that answer bad JSON exactly as the original backend did.

The original checked a body one rule at a time and answered the first broken one as
``{"success": false, "message": "buyerData.email must be a valid email address"}``. DRF instead
collects every error of a body in its own words. The serializers here stop at the first broken
rule: a field raises autolab's ``ValidationError`` with its path (``buyerData.email``,
``items[0].quantity``) in the message. Fields are checked in declaration order, so declare them
in the order the original checked them. A plain DRF field among them still answers as DRF does.
The declared fields also give the OpenAPI schema its shape; ``validate`` returns the typed value
(usually a dataclass) the service takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar, NoReturn

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField, empty

from autolab import workflow
from autolab.exceptions import ValidationError


def path_of(field: serializers.Field) -> str:
    """Where ``field`` sits in the body: ``carData.year``, ``selectedSlots[0].date``.

    Paths start below the nearest serializer marked ``path_root``, as the original's messages do
    (``buyerData.name``, not ``appointmentData.buyerData.name``).
    """
    parts: list[str] = []
    node: Any = field
    while node.parent is not None:
        parent = node.parent
        parts.append(f"[{parent.index}]" if isinstance(parent, WireList) else f".{node.field_name}")
        if getattr(parent, "path_root", False):
            break
        node = parent
    return "".join(reversed(parts)).lstrip(".")


def is_absent(value: Any) -> bool:
    """The original's "is required": missing, null or an empty string."""
    return value is empty or value is None or value == ""


class WireField:
    """Mixin for fields that answer with the original's message instead of DRF's."""

    def fail_with(self, template: str, **values: Any) -> NoReturn:
        """Raise ``template`` with ``{path}`` (and ``values``) filled in."""
        raise ValidationError(template.format(path=path_of(self), **values))  # type: ignore[arg-type]


class WireSerializer(WireField, serializers.Serializer):
    """An object of the body; fields are checked in declaration order and the first error answers.

    ``presence`` names fields whose absence is reported ("<path> is required") before any value
    is checked, as the original did for its required keys.
    """

    body: Mapping[str, Any]  # the object being checked, for fields that depend on a sibling
    path_root: ClassVar[bool] = False
    presence: ClassVar[tuple[str, ...]] = ()
    not_an_object: ClassVar[str] = "{path} must be an object"

    @classmethod
    def parse(cls: type[Any], data: Any, **context: Any) -> Any:
        """The validated value of ``data``, or the first error raised."""
        serializer = cls(data=data, context=context)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def run_validation(self, data: Any = empty) -> Any:
        if data is empty and not self.required:
            raise SkipField
        value = self.to_internal_value(None if data is empty else data)
        return self.validate(value)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            self.fail_with(self.not_an_object)
        self.body = data
        for name in self.presence:
            if is_absent(data.get(name, empty)):
                raise ValidationError(f"{path_of(self.fields[name])} is required")
        values: dict[str, Any] = {}
        for field in self._writable_fields:
            name = str(field.field_name)
            try:
                values[name] = field.run_validation(data.get(name, empty))
            except SkipField:
                continue
            except serializers.ValidationError as error:  # a plain DRF field: DRF's own answer
                raise serializers.ValidationError({name: error.detail}) from error
        return values


class WireList(WireField, serializers.ListField):
    """A list whose items are checked one after another; ``index`` is the item being checked, for
    its path. Subclasses check the list itself, then call ``each``."""

    index = 0

    def run_validation(self, data: Any = empty) -> Any:
        return self.to_internal_value(None if data is empty else data)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, list):
            self.fail_with("{path} must be an array")
        return self.each(data)

    def each(self, items: list[Any]) -> list[Any]:
        values = []
        for self.index, item in enumerate(items):
            values.append(self.child.run_validation(item))
        return values


@extend_schema_field(OpenApiTypes.STR)
class RawText(serializers.Field):
    """A string in the schema whose value the serializer's ``validate`` checks (with its siblings)."""

    def run_validation(self, data: Any = empty) -> Any:
        if data is empty:
            raise SkipField
        return data


@extend_schema_field(OpenApiTypes.INT)
class RawInteger(RawText):
    """An integer in the schema whose value the serializer's ``validate`` checks."""


class UserIdField(WireField, serializers.CharField):
    """``userId``: whom a booking or order is for. A customer must give theirs (context
    ``customer``); staff leave it empty for an entry of their own."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, allow_null=True, allow_blank=True, **kwargs)

    def run_validation(self, data: Any = empty) -> str | None:
        value = None if data is empty else data
        if value is not None and not isinstance(value, str):
            self.fail_with("{path} must be a string")
        if self.context.get("customer") and not value:
            self.fail_with("{path} is required for non-staff users")
        return value


class StatusField(WireField, serializers.ChoiceField):
    """A PATCH's ``status``: one of ``kind``'s values, the member answered; ``any_case`` also takes
    it in lower or mixed case (the orders API did, the appointments API did not)."""

    def __init__(self, kind: type[StrEnum], *, any_case: bool = False, **kwargs: Any) -> None:
        self.kind, self.any_case = kind, any_case
        super().__init__(choices=[status.value for status in kind], required=False, **kwargs)

    def run_validation(self, data: Any = empty) -> StrEnum:
        if data is empty:
            raise SkipField
        status = workflow.status_of(self.kind, data.upper() if self.any_case and isinstance(data, str) else data)
        if status is None:
            self.fail_with("{path} must be one of {choices}", choices=", ".join(self.kind))
        return status


class MechanicIdField(WireField, serializers.CharField):
    """A PATCH's ``assignedMechanicId`` (that it is an active mechanic is checked when applied);
    null or empty unassigns. The orders API also refused ids over ``max_length``."""

    def __init__(self, *, max_length: int | None = None, **kwargs: Any) -> None:
        self.longest = max_length
        if max_length is not None:  # the schema shows it
            kwargs["max_length"] = max_length
        super().__init__(required=False, allow_null=True, allow_blank=True, **kwargs)

    def run_validation(self, data: Any = empty) -> str | None:
        if data is empty:
            raise SkipField
        if data in (None, ""):
            return None
        if not isinstance(data, str) or (self.longest is not None and len(data) > self.longest):
            raise ValidationError("Invalid mechanic ID")
        return data


class VersionField(WireField, serializers.IntegerField):
    """A PATCH's ``version``: the record version the client saw (a stale one is a 409 when the
    change is written); absent or null checks none."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, help_text="The version you saw; 409 if stale", **kwargs)

    def run_validation(self, data: Any = empty) -> int:
        if data is empty or data is None:
            raise SkipField
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail_with("{path} must be an integer")
        return data
