"""Chat: message latency from a customer's ``POST /api/messages`` to the staff socket, with 50
customer sockets connected (real Channels sockets on the Redis layer, in-process ASGI app), and the
DynamoDB calls of each chat endpoint.

Data set: 1,000 customers with chats (2,000 messages in 1,000 conversations), 50 of them connected, 60 inquiries.
Latency is measured from the start of the POST until the staff socket has the pushed message.
"""

from __future__ import annotations

import asyncio
import time
import uuid

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.test import APIClient
from tqdm import tqdm

from bench.harness import Measurement, count_dynamodb_calls, measure, staff_client
from chat import inquiries, messaging, services

CONNECTED = 50
SENDS = 100
CUSTOMERS = 1_000


def _seed() -> list[str]:
    customers = [
        services.customer_register(user_name=f"Customer {n}", user_email=f"c{n}@example.com").user_id
        for n in tqdm(range(CUSTOMERS), desc="chat customers", unit="customer")
    ]
    for number in tqdm(range(2 * CUSTOMERS), desc="chat messages", unit="message"):
        messaging.message_send(client_id=customers[number % CUSTOMERS], text=f"Seed message {number}", staff=None)
    inquiry = inquiries.InquiryRequest(
        first_name="Ann", last_name="Lee", email="ann@example.com", message="A quote for a PPI please"
    )
    for number in range(60):
        inquiries.inquiry_create(user_id=customers[number], inquiry=inquiry)
    return customers


async def _latency(customers: list[str], token: str) -> tuple[list[float], dict[str, int]]:
    from autolab.asgi import application

    sockets = []
    for user_id in customers[:CONNECTED]:
        socket = WebsocketCommunicator(application, "/ws/")
        await socket.connect()
        await socket.send_json_to({"action": "init", "userId": user_id})
        await socket.receive_json_from(timeout=10)
        sockets.append(socket)
    staff = WebsocketCommunicator(application, "/ws/")
    await staff.connect()
    await staff.send_json_to({"action": "staff-init", "token": token})
    await staff.receive_json_from(timeout=10)
    while not await staff.receive_nothing(timeout=0.5):
        await staff.receive_json_from()  # user-connected notices of the 50 customers
    client = APIClient()
    post = sync_to_async(client.post, thread_sensitive=False)
    latencies: list[float] = []
    with count_dynamodb_calls() as counter:
        for number in range(SENDS):
            started = time.perf_counter()
            response = await post(
                "/api/messages",
                {"clientId": customers[number % CONNECTED], "message": f"Bench {number}"},
                format="json",
            )
            message_id = response.json()["messageId"]
            while True:
                event = await staff.receive_json_from(timeout=10)
                if event.get("type") == "message" and event.get("messageId") == message_id:
                    break
            latencies.append((time.perf_counter() - started) * 1000)
    for socket in [*sockets, staff]:
        await socket.disconnect()
    return latencies, dict(counter)


def run() -> list[Measurement]:
    staff = staff_client("bench-chat@autolab.test", ["CUSTOMER_SUPPORT"])
    customers = _seed()
    latencies, operations = asyncio.run(_latency(customers, staff.token))
    send = Measurement.of(
        "POST /api/messages → staff socket",
        latencies,
        operations,
        notes=f"{CONNECTED} customer sockets connected; latency until the staff socket has it",
    )
    support = staff.client
    anon = APIClient()
    return [
        send,
        measure(
            "POST /api/messages (customer)",
            lambda i: anon.post("/api/messages", {"clientId": customers[100 + i % 50], "message": "hi"}, format="json"),
            repeat=30,
        ),
        measure(
            "GET /api/messages?clientId= (history page)",
            lambda i: anon.get("/api/messages", {"clientId": customers[i % 100]}),
            repeat=30,
        ),
        measure("GET /api/messages/last (inbox page)", lambda i: support.get("/api/messages/last"), repeat=20),
        measure("GET /api/users/online", lambda i: support.get("/api/users/online"), repeat=20),
        measure("GET /api/users (page of 25)", lambda i: support.get("/api/users"), repeat=20),
        measure("GET /api/inquiries (page of 25)", lambda i: support.get("/api/inquiries"), repeat=20),
        measure(
            "POST /api/users/register",
            lambda i: anon.post("/api/users/register", {"userName": f"N{i}"}, format="json"),
            repeat=20,
        ),
        measure(
            "POST /api/inquiries",
            lambda i: anon.post(
                "/api/inquiries",
                {
                    "userId": customers[i],
                    "inquiryData": {
                        "firstName": "A",
                        "lastName": "B",
                        "email": "a@b.co",
                        "message": "Benchmark inquiry text",
                    },
                },
                format="json",
            ),
            repeat=20,
        ),
        measure(
            "POST /api/users/take",
            lambda i: support.post("/api/users/take", {"clientId": customers[150 + i]}, format="json"),
            repeat=20,
        ),
        measure(
            "POST /api/messages/notify MESSAGE_VIEWED (staff)",
            lambda i: support.post(
                "/api/messages/notify",
                {"status": "MESSAGE_VIEWED", "messageId": _first_unviewed(customers[i])},
                format="json",
            ),
            repeat=20,
        ),
    ]


def _first_unviewed(client_id: str) -> str:
    from chat import selectors

    found = selectors.messages_unviewed_from_client(client_id)
    return found[0].message_id if found else str(uuid.uuid4())
