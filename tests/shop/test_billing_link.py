"""Cancelling a paid order cancels its invoice through billing (the RecordCancelled domain event)."""

from __future__ import annotations

from billing.models import Invoice
from shop.models import Order


def test_cancelling_a_paid_order_cancels_its_invoice(new_order, admin, support) -> None:
    order = new_order()
    confirmed = admin.api().post(
        "/api/payments/confirm",
        {"referenceNumber": order.order_id, "type": "order", "paymentMethod": "cash"},
        format="json",
    )
    assert confirmed.status_code == 200, confirmed.content
    paid = Order.get(order.order_id)
    assert paid.payment_status == "paid"
    assert Invoice.get(paid.invoice_id).status == "generated"

    response = support.api().patch(f"/api/orders/{order.order_id}", {"status": "CANCELLED"}, format="json")

    assert response.status_code == 200
    assert Invoice.get(paid.invoice_id).status == "cancelled"
    assert Order.get(order.order_id).status == "CANCELLED"


def test_a_paid_order_keeps_its_items(new_order, admin, support) -> None:
    order = new_order()
    admin.api().post(
        "/api/payments/confirm",
        {"referenceNumber": order.order_id, "type": "order", "paymentMethod": "card"},
        format="json",
    )

    response = support.api().patch(
        f"/api/orders/{order.order_id}", {"items": [{"categoryId": 2, "itemId": 2, "quantity": 1}]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["message"] == "Cannot update items after payment is completed"
    assert Order.get(order.order_id).total_price == 400
