"""The parts orders list and page people can work from (#19 deliverable 6, where cheap): sorted by
date either way, status colours and labels, one format for moments and days, mechanic names."""

from __future__ import annotations

import datetime as dt
import re

from autolab import clock
from shop.models import Order
from staffapp.templatetags.staff_format import day, when

LIST = "/admin/shop/orders/"


def _listed(html: str) -> list[str]:
    return re.findall(r'<tr data-order-id="([0-9a-f-]{36})">', html)


def test_orders_sort_newest_or_oldest_first(new_order, support) -> None:
    older, newer = new_order(), new_order()
    older.update(actions=[Order.created_at.set(clock.epoch_now() - 2 * 86400)])
    client = support.portal()
    assert _listed(client.get(LIST).content.decode()) == [newer.order_id, older.order_id]
    oldest = client.get(LIST, {"sort": "oldest"}).content.decode()
    assert _listed(oldest) == [older.order_id, newer.order_id]
    assert '<option value="oldest" selected>Oldest first</option>' in oldest


def test_list_and_page_show_labels_colours_formats_and_names(new_order, support, mechanic) -> None:
    order = new_order()
    delivery = (clock.business_today() + dt.timedelta(days=9)).isoformat()
    client = support.portal()
    client.post(
        f"{LIST}{order.order_id}/",
        {"action": "schedule", "version": 1, "scheduledDate": delivery, "assignedMechanicId": mechanic.user_id},
    )
    html = client.get(LIST).content.decode()
    assert '<span class="badge status-scheduled">Scheduled</span>' in html
    assert '<span class="badge status-pending">Pending</span>' in html  # the payment
    assert f'<td data-label="Created">{when(order.created_at)}</td>' in html
    assert f'<td data-label="Delivery date">{day(delivery)}</td>' in html
    assert '<td data-label="Mechanic">Max Mechanic</td>' in html
    assert ">SCHEDULED<" not in html
    detail = client.get(f"{LIST}{order.order_id}/").content.decode()
    assert 'class="badge status-scheduled" id="order-status">Scheduled<' in detail
    assert f'<span id="scheduled-date">{day(delivery)}</span>' in detail
    assert 'href="tel:0412345678"' in detail
    assert 'value="Mark delivered"' not in detail  # support's moves: back to pending, or cancel
    assert 'value="Mark pending"' in detail
