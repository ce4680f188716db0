"""The one pager (autolab.pagination) against DynamoDB Local: inquiries by status, read in turn."""

from __future__ import annotations

import pytest

from autolab.exceptions import ValidationError
from autolab.pagination import Partitions, decode_cursor, encode_cursor, paginate
from chat.models import Inquiry

STATUSES = ["OPEN", "IN_PROGRESS", "RESOLVED"]


def _inquiry(number: int, status: str) -> Inquiry:
    inquiry = Inquiry(
        inquiry_id=f"inq-{number:02d}",
        first_name="Pat",
        last_name="Tester",
        email="pat@example.com",
        message="Hello",
        user_id="customer-1",
        status=status,
        created_at=1_000 + number,
        created_date="2030-01-01",
        list_key="INQUIRY",
    )
    inquiry.save()
    return inquiry


@pytest.fixture
def inquiries() -> dict[str, list[str]]:
    """Three OPEN, none IN_PROGRESS, two RESOLVED; ids by status, oldest first."""
    made: dict[str, list[str]] = {status: [] for status in STATUSES}
    for number, status in enumerate(["OPEN", "RESOLVED", "OPEN", "OPEN", "RESOLVED"]):
        made[status].append(_inquiry(number, status).inquiry_id)
    return made


def _all_pages(partitions: Partitions, limit: int, **query: object) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        page = partitions.page(limit=limit, cursor=cursor, **query)
        pages.append([item.inquiry_id for item in page.items])
        cursor = page.next_cursor
        if cursor is None:
            return pages


def test_partitions_are_read_in_turn_across_pages(inquiries: dict[str, list[str]]) -> None:
    pages = _all_pages(Partitions(Inquiry.status_index, STATUSES), limit=2)

    assert pages == [inquiries["OPEN"][:2], [inquiries["OPEN"][2], inquiries["RESOLVED"][0]], inquiries["RESOLVED"][1:]]


def test_a_page_may_end_inside_a_dynamodb_page_and_the_next_starts_after_its_last_item(
    inquiries: dict[str, list[str]],
) -> None:
    newest_first = Partitions(Inquiry.status_index, STATUSES)

    pages = _all_pages(newest_first, limit=1, page_size=10, scan_index_forward=False)

    assert [ids for page in pages for ids in page] == inquiries["OPEN"][::-1] + inquiries["RESOLVED"][::-1]


def test_the_last_item_of_the_last_partition_ends_the_list(inquiries: dict[str, list[str]]) -> None:
    page = Partitions(Inquiry.status_index, ["RESOLVED"]).page(limit=2, cursor=None, page_size=5)

    assert [item.inquiry_id for item in page.items] == inquiries["RESOLVED"]
    assert page.next_cursor is None


def test_kept_items_fill_the_page(inquiries: dict[str, list[str]]) -> None:
    page = paginate(Inquiry.list_index, "INQUIRY", limit=2, cursor=None, keep=lambda item: item.status == "RESOLVED")

    assert [item.inquiry_id for item in page.items] == inquiries["RESOLVED"]


def test_query_arguments_reach_every_partition(inquiries: dict[str, list[str]]) -> None:
    newer = Inquiry.created_at >= 1_002
    pages = _all_pages(Partitions(Inquiry.status_index, STATUSES), limit=10, range_key_condition=newer)

    assert pages == [[*inquiries["OPEN"][1:], inquiries["RESOLVED"][1]]]


def test_a_cursor_belongs_to_its_partitions_and_scope(inquiries: dict[str, list[str]]) -> None:
    cursor = Partitions(Inquiry.status_index, STATUSES, scope="2030").page(limit=1, cursor=None).next_cursor

    for other in (
        Partitions(Inquiry.status_index, STATUSES, scope="2031"),
        Partitions(Inquiry.status_index, ["RESOLVED"], scope="2030"),
        Partitions(Inquiry.list_index, ["OPEN"], scope="2030"),
    ):
        with pytest.raises(ValidationError, match="Invalid cursor"):
            other.page(limit=1, cursor=cursor)
    same = Partitions(Inquiry.status_index, STATUSES, scope="2030").page(limit=1, cursor=cursor)
    assert [item.inquiry_id for item in same.items] == [inquiries["OPEN"][1]]


@pytest.mark.parametrize(
    "state",
    [
        {"inquiryId": {"S": "inq-00"}, "status": {"S": "OPEN"}, "createdAt": {"N": "1000"}},  # a bare key
        {"p": "OPEN", "k": {"inquiryId": {"S": "inq-00"}}, "s": ""},  # key names of another index
        {"p": "OPEN", "k": {"inquiryId": {"S": "x"}, "status": {"S": "RESOLVED"}, "createdAt": {"N": "1"}}, "s": ""},
        {"p": "OPEN", "k": {"inquiryId": {"S": "x"}, "status": {"S": "OPEN"}, "createdAt": {"S": "1"}}, "s": ""},
        {"p": "OPEN", "k": ["not", "a", "key"], "s": ""},
    ],
)
def test_a_signed_cursor_that_is_not_a_position_of_this_list_is_invalid(state: dict) -> None:
    with pytest.raises(ValidationError, match="Invalid cursor"):
        Partitions(Inquiry.status_index, STATUSES).page(limit=1, cursor=encode_cursor(state))


def test_a_forged_cursor_is_invalid() -> None:
    with pytest.raises(ValidationError, match="Invalid cursor"):
        paginate(Inquiry.list_index, "INQUIRY", limit=1, cursor="forged")


def test_a_cursor_between_partitions_starts_the_next_one(inquiries: dict[str, list[str]]) -> None:
    cursor = Partitions(Inquiry.status_index, STATUSES).page(limit=3, cursor=None, page_size=10).next_cursor

    assert decode_cursor(cursor)["p"] in {"OPEN", "IN_PROGRESS"}
    rest = Partitions(Inquiry.status_index, STATUSES).page(limit=5, cursor=cursor)
    assert [item.inquiry_id for item in rest.items] == inquiries["RESOLVED"]
    assert rest.next_cursor is None
