"""The header badges: counts read from the data (chat.badges), the same in every page and tab, never
raised by the member's own actions, and pushed over the real staff socket (the ASGI app on the real
Redis channel layer) when a service changes them."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from chat import inquiries, messaging, services
from tests.chat.conftest import call

BADGE = re.compile(r'data-category="(\w+)"[^>]*>\w+ <span class="live-count">(\d+)</span>')


def portal(persona) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=persona.email))
    return client


def badges(client: Client, path: str = "/admin/") -> dict[str, int]:
    page = client.get(path)
    assert page.status_code == 200
    return {name: int(count) for name, count in BADGE.findall(page.content.decode())}


def _customer_writes(user_id: str, text: str = "Is my car ready?") -> None:
    response = APIClient().post("/api/messages", {"clientId": user_id, "message": text}, format="json")
    assert response.status_code == 200


def _inquiry(user_id: str) -> inquiries.Inquiry:
    request = inquiries.InquiryRequest(first_name="Ann", last_name="Lee", email="ann@example.com", message="Hello?")
    return inquiries.inquiry_create(user_id=user_id, inquiry=request)


def test_counts_come_with_every_page_and_survive_a_new_tab(support, new_customer):
    ann, bob = new_customer(user_name="Ann"), new_customer(user_name="Bob")
    _customer_writes(ann)
    _customer_writes(ann, "Hello again")  # one conversation, however many messages
    _customer_writes(bob)
    _inquiry(ann)

    assert badges(portal(support)) == {"messages": 2, "inquiries": 1}
    assert badges(portal(support), "/admin/emails/") == {"messages": 2, "inquiries": 1}  # another page, a new session
    html = portal(support).get("/admin/").content.decode()
    assert '<a class="live-badge" href="/admin/chat/inbox/"' in html  # a link to the queue
    assert 'href="/admin/chat/inquiries/?status=OPEN"' in html
    assert 'aria-label="Inbox: 2 conversations with unread messages"' in html


def test_your_own_actions_do_not_raise_your_badge_and_someone_elses_conversation_is_not_yours(
    support, make_staff, new_customer
):
    other = make_staff("CUSTOMER_SUPPORT")
    mine, theirs = new_customer(user_name="Mine"), new_customer(user_name="Theirs")
    services.customer_take(client_id=mine, staff=support.identity)
    services.customer_take(client_id=theirs, staff=other.identity)
    inquiry = _inquiry(mine)
    client = portal(support)
    assert badges(client) == {"messages": 0, "inquiries": 1}

    messaging.message_send(client_id=mine, text="Your car is ready", staff=support.identity)
    _customer_writes(theirs)
    inquiries.inquiry_set_status(inquiry_id=inquiry.inquiry_id, status="IN_PROGRESS", staff=support.identity)

    assert badges(client) == {"messages": 0, "inquiries": 0}
    assert badges(portal(other)) == {"messages": 1, "inquiries": 0}


def test_opening_a_badge_does_not_clear_it_only_reading_does(support, new_customer):
    ann = new_customer(user_name="Ann")
    _customer_writes(ann)
    client = portal(support)

    assert badges(client, "/admin/chat/inbox/") == {"messages": 1, "inquiries": 0}  # the queue the badge opens
    assert badges(client) == {"messages": 1, "inquiries": 0}
    client.get(f"/admin/chat/inbox/{ann}/")  # reading the conversation
    assert badges(client) == {"messages": 0, "inquiries": 0}


def test_a_mechanic_sees_only_the_queues_they_may_open(mechanic, new_customer):
    _customer_writes(new_customer())
    assert badges(portal(mechanic)) == {"inquiries": 0}


@pytest.mark.django_db(transaction=True)
async def test_the_staff_socket_pushes_fresh_counts_only_when_they_change(open_socket, new_customer, support):
    socket = await open_socket()
    assert (await socket.staff_init(token=support.token))["success"] is True
    ann = await call(new_customer)(user_name="Ann")

    def is_badges(event: dict) -> bool:
        return event.get("type") == "badges"

    await call(_customer_writes)(ann)
    pushed = await socket.receive_until(is_badges)
    assert {b["category"]: b["count"] for b in pushed["badges"]} == {"messages": 1, "inquiries": 0}

    await call(_inquiry)(ann)
    pushed = await socket.receive_until(is_badges)
    assert {b["category"]: b["count"] for b in pushed["badges"]} == {"messages": 1, "inquiries": 1}

    # Your own message changes nothing you count: no badges frame.
    await call(messaging.message_send)(client_id=ann, text="On it", staff=support.identity)
    await call(services.customer_take)(client_id=ann, staff=support.identity)
    while not await socket.silent(0.5):
        assert not is_badges(await socket.receive())

    await call(messaging.conversation_mark_viewed)(client_id=ann, staff=support.identity)
    pushed = await socket.receive_until(is_badges)
    assert {b["category"]: b["count"] for b in pushed["badges"]} == {"messages": 0, "inquiries": 1}
    assert pushed["badges"][0]["url"] == "/admin/chat/inbox/"


@pytest.mark.django_db(transaction=True)
async def test_the_portal_socket_gets_the_counts_when_it_connects(open_socket, new_customer, support):
    await call(_customer_writes)(await call(new_customer)(user_name="Ann"))  # while no tab was connected
    socket = await open_socket()

    await socket.send({"action": "staff-init", "token": support.token, "badges": True})

    assert (await socket.receive())["subtype"] == "init"
    pushed = await socket.receive()
    assert pushed["type"] == "badges"
    assert {b["category"]: b["count"] for b in pushed["badges"]} == {"messages": 1, "inquiries": 0}
