"""autolab.wire: input serializers that answer the first broken rule with the original's message."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework import serializers
from rest_framework.fields import empty

from autolab.exceptions import ValidationError
from autolab.wire import RawText, UserIdField, WireField, WireList, WireSerializer


class Number(WireField, serializers.IntegerField):
    def run_validation(self, data: Any = empty) -> int:
        if not isinstance(data, int):
            self.fail_with("{path} must be a number")
        return data


class Part(WireSerializer):
    presence = ("code",)
    code = RawText()
    count = Number()


class Parts(WireList):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=Part(), **kwargs)


class Order(WireSerializer):
    path_root = True
    name = serializers.CharField(max_length=3)
    parts = Parts()
    spare = Part(required=False)


class Body(WireSerializer):
    userId = UserIdField()
    order = Order()


def _message(data: Any, **context: Any) -> str:
    with pytest.raises(ValidationError) as error:
        Body.parse(data, **context)
    return error.value.message


def test_paths_start_below_the_path_root_and_name_list_items() -> None:
    assert _message({"order": {"name": "a", "parts": [{"code": "x", "count": 1}, {"code": "y"}]}}) == (
        "parts[1].count must be a number"
    )
    assert _message({"order": {"name": "a", "parts": [{"count": 1}]}}) == "parts[0].code is required"
    assert _message({"order": {"name": "a", "parts": [], "spare": "x"}}) == "spare must be an object"
    assert _message({"order": None}) == "order must be an object"


def test_the_first_broken_rule_answers_in_declaration_order() -> None:
    assert _message({"userId": 5, "order": None}) == "userId must be a string"
    assert _message({"order": {"name": "a", "parts": "x", "spare": "y"}}) == "parts must be an array"


def test_presence_is_checked_before_values() -> None:
    assert _message({"order": {"name": "a", "parts": [{"code": None, "count": "x"}]}}) == "parts[0].code is required"


def test_a_plain_drf_field_keeps_drf_s_answer() -> None:
    with pytest.raises(serializers.ValidationError) as error:
        Body.parse({"order": {"name": "abcd", "parts": []}})
    assert error.value.detail == {"order": {"name": ["Ensure this field has no more than 3 characters."]}}


def test_customers_must_name_themselves() -> None:
    assert _message({"order": {"name": "a", "parts": []}}, customer=True) == "userId is required for non-staff users"
    parsed = Body.parse({"order": {"name": "a", "parts": [{"code": "x", "count": 2}]}})
    assert parsed == {"userId": None, "order": {"name": "a", "parts": [{"code": "x", "count": 2}]}}
