"""Audit trail of staff order writes (assign, status, notes), shown on the order page."""

from __future__ import annotations

from autolab import audit


def _patch(persona, order, body):
    response = persona.api().patch(f"/api/orders/{order.order_id}", body, format="json")
    assert response.status_code == 200, response.json()


def test_order_assign_status_and_notes_are_audited_and_shown(new_order, mechanic, support) -> None:
    order = new_order()
    assert audit.history("order", order.order_id).entries == []  # the customer's own order: no entry
    _patch(support, order, {"assignedMechanicId": mechanic.user_id})
    assign = audit.history("order", order.order_id).entries[0]
    assert (assign.actor_id, assign.changed["assignedMechanicId"]) == (support.user_id, [None, mechanic.user_id])
    _patch(mechanic, order, {"postNotes": "Fitted", "status": "DELIVERED"})
    done = audit.history("order", order.order_id).entries[0]
    assert done.actor_id == mechanic.user_id
    assert done.action == "order.postNotes+status"
    assert done.changed["postNotes"] == ["", "Fitted"]
    assert done.changed["status"][1] == "DELIVERED"
    client = support.portal()
    history = client.get(f"/admin/shop/orders/{order.order_id}/").content.decode().split('id="audit-history"')[1]
    assert "order.postNotes+status" in history
    assert "Max Mechanic" in history


def test_a_staff_order_for_a_caller_is_audited(place_order, customer, support) -> None:
    response = place_order(customer.user_id, client=support.api())
    assert response.status_code == 200, response.json()
    order_id = response.json()["orderId"]
    [created] = audit.history("order", order_id).entries
    assert (created.actor_id, created.action) == (support.user_id, "order.create")
    assert created.changed["status"] == [None, "PENDING"]


def test_catalogue_item_add_change_and_category_rename_are_audited(catalogue, admin) -> None:
    from shop import services

    services.item_price_add(
        category_id=2, item_id=9, category_name="", item_name="Rims", price="80", actor=admin.identity
    )
    added = audit.history("catalogue_item", "2:9").entries[0]
    assert (added.actor_id, added.action) == (admin.user_id, "catalogue_item.add")
    assert added.changed == {
        "active": [None, True],
        "categoryName": [None, "Tyres & Wheels"],
        "itemName": [None, "Rims"],
        "price": [None, "80"],
    }
    services.item_price_change(
        category_id=2, item_id=9, item_name="Alloy rims", price="95", active=False, actor=admin.identity
    )
    changed = audit.history("catalogue_item", "2:9").entries[0]
    assert (changed.action, changed.changed) == (
        "catalogue_item.change",
        {"active": [True, False], "itemName": ["Rims", "Alloy rims"], "price": ["80", "95"]},
    )
    services.category_rename(category_id=2, category_name="Wheels", actor=admin.identity)
    renamed = audit.history("catalogue_category", "2").entries[0]
    assert (renamed.actor_id, renamed.action, renamed.changed) == (
        admin.user_id,
        "catalogue_category.rename",
        {"categoryName": ["Tyres & Wheels", "Wheels"]},
    )
