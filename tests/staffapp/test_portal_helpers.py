"""The portal's shared helpers (#14.6): cursor paging with one pager, and the money and time filters."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from autolab import clock
from autolab.pagination import encode_cursor
from chat import portal as chat_portal
from chat.services import customer_register
from emails.suppression import suppression_add
from staffapp import portal as staff_portal
from staffapp.templatetags.staff_format import day, label, local_time, money, slot_range, status_class, when

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _cursor_pages() -> list[tuple[str, dict[str, str]]]:
    today = clock.business_today()
    month = {"start_date": (today - dt.timedelta(days=30)).isoformat(), "end_date": today.isoformat()}
    return [
        ("/admin/bookings/appointments/", {}),
        ("/admin/shop/orders/", {}),
        ("/admin/billing/invoices/", month),
        ("/admin/chat/inbox/", {}),
        ("/admin/chat/customers/", {}),
        ("/admin/chat/inquiries/", {}),
        ("/admin/emails/", {}),
        ("/admin/emails/suppressions/", {}),
    ]


@pytest.mark.parametrize(("url", "query"), _cursor_pages())
def test_a_forged_cursor_on_any_list_is_a_message_and_the_first_page(admin, url, query) -> None:
    response = admin.portal().get(url, {**query, "cursor": "forged"})

    assert response.status_code == 200
    assert _messages(response) == ["Invalid cursor"]
    assert response.context["is_first"] is True
    assert 'id="first-page"' not in response.content.decode()


@pytest.mark.parametrize(("url", "query"), [*_cursor_pages(), ("/admin/bookings/appointments/", {"status": "PENDING"})])
def test_a_signed_cursor_of_another_list_is_never_a_5xx(admin, url, query) -> None:
    foreign = encode_cursor({"userId": {"S": "someone"}, "listKey": {"S": "CUSTOMER"}, "createdAt": {"N": "1"}})

    response = admin.portal().get(url, {**query, "cursor": foreign})

    assert response.status_code == 200


def test_the_suppression_list_refuses_another_lists_cursor_and_shows_its_first_page(admin) -> None:
    foreign = encode_cursor({"userId": {"S": "someone"}, "listKey": {"S": "CUSTOMER"}, "createdAt": {"N": "1"}})

    response = admin.portal().get("/admin/emails/suppressions/", {"cursor": foreign})

    assert response.status_code == 200
    assert _messages(response) == ["Invalid cursor"]
    assert response.context["is_first"] is True


def test_the_first_page_is_listed_after_a_bad_cursor_and_the_pager_keeps_the_filter(admin, monkeypatch) -> None:
    monkeypatch.setattr(chat_portal, "PAGE_SIZE", 1)
    names = {customer_register(user_name=name).user_name for name in ("Pat One", "Pat Two")}
    client = admin.portal()

    first = client.get("/admin/chat/customers/", {"search": "pat"})
    [shown_first] = [row["customer"].user_name for row in first.context["rows"]]
    recovered = client.get("/admin/chat/customers/", {"search": "pat", "cursor": "forged"})
    assert [row["customer"].user_name for row in recovered.context["rows"]] == [shown_first]

    assert first.context["next_query"] == urlencode({"search": "pat", "cursor": first.context["next_cursor"]})
    assert 'id="next-page"' in first.content.decode()
    second = client.get("/admin/chat/customers/", {"search": "pat", "cursor": first.context["next_cursor"]})
    assert [row["customer"].user_name for row in second.context["rows"]] == sorted(names - {shown_first})
    assert '<a href="?search=pat" id="first-page">First page</a>' in second.content.decode()


def test_the_staff_list_pages_with_the_same_pager(admin, make_staff, monkeypatch) -> None:
    monkeypatch.setattr(staff_portal, "PAGE_SIZE", 1)
    make_staff("CLERK")
    client = admin.portal()

    first = client.get("/admin/staff/")
    assert first.context["next_query"] == "page=2"
    assert 'id="first-page"' not in first.content.decode()
    second = client.get("/admin/staff/", {"page": "2"})
    assert '<a href="?" id="first-page">First page</a>' in second.content.decode()
    assert second.context["next_query"] is None
    assert client.get("/admin/staff/", {"page": "two"}).status_code == 200


def test_pages_show_moments_with_local_time(admin) -> None:
    entry = suppression_add(email="stop@example.com", actor=admin.identity)

    page = admin.portal().get("/admin/emails/suppressions/").content.decode()

    assert f'<td data-label="Since">{local_time(entry.created_at)}</td>' in page
    assert re.fullmatch(r"[A-Z][a-z]{2} \d\d? [A-Z][a-z]{2}, \d\d:\d\d", local_time(entry.created_at))


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("280"), "$280.00"),
        (Decimal("1234.5"), "$1,234.50"),
        (99.5, "$99.50"),
        ("45.505", "$45.51"),
        (0, "$0.00"),
        (None, "—"),
        ("", "—"),
        ("not money", "—"),
    ],
)
def test_money_is_shown_one_way(value, shown) -> None:
    assert money(value) == shown


MOMENT = dt.datetime(2025, 9, 25, 8, 1, 30, tzinfo=dt.UTC)  # 4:01 PM in Perth (UTC+8, no daylight saving)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (int(MOMENT.timestamp()), "Thu 25 Sep 2025, 16:01"),
        (str(int(MOMENT.timestamp())), "Thu 25 Sep 2025, 16:01"),
        (MOMENT, "Thu 25 Sep 2025, 16:01"),
        (MOMENT.replace(tzinfo=None), "Thu 25 Sep 2025, 16:01"),
        ("2025-09-25T08:01:30.000Z", "Thu 25 Sep 2025, 16:01"),
        ("2025-09-25T16:01:30+08:00", "Thu 25 Sep 2025, 16:01"),
        (None, "—"),
        ("", "—"),
        ("yesterday", "—"),
    ],
)
def test_a_moment_is_shown_in_business_time(value, shown) -> None:
    assert local_time(value) == shown


def test_this_years_days_leave_the_year_out() -> None:
    today = clock.business_today()
    assert day(today) == f"{today:%a} {today.day} {today:%b}"
    assert day(today.isoformat()) == day(today)
    assert day(dt.date(2025, 12, 4)) == "Thu 4 Dec 2025"
    assert day("not a day") == day(None) == "—"
    assert when(MOMENT) == local_time(MOMENT)


def test_a_slot_is_a_day_and_a_time_range() -> None:
    class Slot:
        date, start, end = "2025-12-05", "13:00", "15:30"

    assert slot_range(Slot()) == "Fri 5 Dec 2025, 13:00\u201315:30"
    assert slot_range(None) == "—"


@pytest.mark.parametrize(
    ("value", "shown"),
    [("IN_PROGRESS", "In progress"), ("bank_transfer", "Bank transfer"), ("eft", "EFT"), ("", "—"), (None, "—")],
)
def test_enums_have_human_labels(value, shown) -> None:
    assert label(value) == shown


def test_each_status_has_one_class() -> None:
    assert status_class("IN_PROGRESS") == "status-in-progress"
    assert status_class("paid") == "status-paid"


def test_a_moment_takes_a_shorter_format() -> None:
    assert local_time(int(MOMENT.timestamp()), "%d %b %I:%M %p") == "25 Sep 04:01 PM"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/chat/inbox/no-such-customer/",
        "/admin/chat/customers/no-such-customer/",
        "/admin/chat/inquiries/no-such-inquiry/",
        "/admin/chat/canned-replies/no-such-reply/delete/",
        "/admin/emails/thread/no-such-thread/",
        "/admin/billing/invoices/no-such-invoice/",
        "/admin/billing/invoices/no-such-invoice/cancel/",
        "/admin/billing/payments/appointment/no-such-record/",
        "/admin/staff/nobody@example.com/",
        "/admin/staff/nobody@example.com/access/",
    ],
)
def test_a_detail_page_of_something_that_does_not_exist_is_a_404(admin, url) -> None:
    assert admin.portal().get(url).status_code == 404
