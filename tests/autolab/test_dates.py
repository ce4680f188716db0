"""autolab.dates: one day parser and one from/to rule, with each call site's own messages."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from rest_framework import serializers

from autolab.dates import DateRange, clean_range, date_range, day_field, parse_day, validate_range
from autolab.exceptions import ValidationError

JAN_1, JAN_31 = dt.date(2030, 1, 1), dt.date(2030, 1, 31)


def test_parse_day_reads_only_yyyy_mm_dd_and_names_the_parameter() -> None:
    assert parse_day("2030-01-02") == dt.date(2030, 1, 2)
    for bad in ("02/01/2030", "2030-1-2", "2030-13-01", "", None, 20300102):
        with pytest.raises(ValidationError) as caught:
            parse_day(bad, "startDate")
        assert caught.value.message == "startDate must be in YYYY-MM-DD format"


def test_a_range_counts_both_ends() -> None:
    span = date_range(JAN_1, JAN_31, max_days=31)
    assert span == DateRange(JAN_1, JAN_31)
    assert span.days == 31
    assert span.each_day()[0] == JAN_1
    assert span.each_day()[-1] == JAN_31
    assert len(span.each_day()) == 31
    assert date_range(JAN_1, JAN_1).each_day() == [JAN_1]


def test_default_messages_name_the_fields() -> None:
    with pytest.raises(ValidationError) as backwards:
        date_range(JAN_31, JAN_1)
    assert backwards.value.message == "endDate must not be before startDate"
    with pytest.raises(ValidationError) as too_long:
        date_range(JAN_1, JAN_31, max_days=30)
    assert too_long.value.message == "The date range can span at most 30 days"
    with pytest.raises(ValidationError) as named:
        date_range(JAN_31, JAN_1, names=("start_date", "end_date"))
    assert named.value.message == "end_date must not be before start_date"


def test_a_call_site_keeps_its_own_wording() -> None:
    with pytest.raises(ValidationError) as backwards:
        date_range(JAN_31, JAN_1, order_message="dateFrom must not be after dateTo")
    assert backwards.value.message == "dateFrom must not be after dateTo"
    with pytest.raises(ValidationError) as too_long:
        date_range(JAN_1, JAN_31, max_days=7, span_message="At most 7 days at a time")
    assert too_long.value.message == "At most 7 days at a time"


class _Query(serializers.Serializer):
    start_date = day_field(required=False)
    end_date = day_field(required=False)

    def validate(self, attrs: dict) -> dict:
        validate_range(attrs, ("start_date", "end_date"), required_message="both, please", max_days=3)
        return attrs


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"start_date": "2030-01-01", "end_date": "2030-01-03"}, None),
        ({"start_date": "2030-01-03", "end_date": "2030-01-01"}, "end_date must not be before start_date"),
        ({"start_date": "2030-01-01", "end_date": "2030-01-04"}, "The date range can span at most 3 days"),
        ({"start_date": "2030-01-01"}, "both, please"),
    ],
)
def test_the_serializer_helper_answers_a_drf_error(data: dict, error: str | None) -> None:
    query = _Query(data=data)
    assert query.is_valid() is (error is None)
    if error:
        assert query.errors == {"non_field_errors": [error]}


def test_day_field_refuses_other_formats() -> None:
    query = _Query(data={"start_date": "01/01/2030", "end_date": "2030-01-01"})
    assert not query.is_valid()
    assert "start_date" in query.errors


def test_an_optional_pair_is_checked_only_when_both_are_given() -> None:
    assert validate_range({"dateFrom": JAN_1}, ("dateFrom", "dateTo")) is None
    assert validate_range({}, ("dateFrom", "dateTo")) is None


class _Form(forms.Form):
    start_date = forms.DateField()
    end_date = forms.DateField()

    def clean(self) -> dict:
        data = super().clean()
        clean_range(data, ("start_date", "end_date"), order_message="The end date must not be before the start.")
        return data


def test_the_form_helper_answers_a_form_error_and_leaves_missing_fields_to_their_own() -> None:
    backwards = _Form({"start_date": "2030-01-03", "end_date": "2030-01-01"})
    assert not backwards.is_valid()
    assert backwards.non_field_errors() == ["The end date must not be before the start."]
    missing = _Form({"start_date": "2030-01-03"})
    assert not missing.is_valid()
    assert missing.non_field_errors() == []
    assert "end_date" in missing.errors
