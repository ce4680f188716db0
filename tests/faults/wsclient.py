"""A minimal WebSocket client (RFC 6455) over asyncio streams, for talking to a real daphne process
(the fault tests and the soak): it answers pings, and reports the server's close code or that the
connection ended without a close frame."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import struct
from typing import Any

CONTINUATION, TEXT, CLOSE, PING, PONG = 0x0, 0x1, 0x8, 0x9, 0xA
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class WsClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.pings_answered = 0

    @classmethod
    async def connect(cls, host: str, port: int, path: str = "/ws/", *, origin: str | None = None) -> WsClient:
        reader, writer = await asyncio.open_connection(host, port)
        key = base64.b64encode(os.urandom(16)).decode()
        extra = f"Origin: {origin}\r\n" if origin else ""
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n".encode()
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
        status, *lines = head.decode("latin-1").split("\r\n")
        headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()  # noqa: S324 - RFC 6455
        if not status.startswith("HTTP/1.1 101") or headers.get("sec-websocket-accept") != accept:
            raise ConnectionError(head.decode(errors="replace"))
        return cls(reader, writer)

    def _send(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        length = len(payload)
        header = bytes([0x80 | opcode])
        if length < 126:
            header += bytes([0x80 | length])
        elif length < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", length)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", length)
        self.writer.write(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    async def send_json(self, payload: dict[str, Any]) -> None:
        self._send(TEXT, json.dumps(payload).encode())
        await self.writer.drain()

    async def receive(self, timeout: float | None = 10) -> tuple[str, Any]:
        """("text", parsed JSON), ("close", code) or ("eof", None) when the connection just ended."""
        text = b""
        while True:
            try:
                first, second = await asyncio.wait_for(self.reader.readexactly(2), timeout=timeout)
                length = second & 0x7F
                if length == 126:
                    (length,) = struct.unpack("!H", await self.reader.readexactly(2))
                elif length == 127:
                    (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
                payload = await self.reader.readexactly(length)
            except (asyncio.IncompleteReadError, ConnectionError):
                return "eof", None
            opcode = first & 0x0F
            if opcode in (TEXT, CONTINUATION):
                text += payload
                if first & 0x80:  # the final fragment
                    return "text", json.loads(text)
                continue
            if opcode == CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                self._send(CLOSE, payload[:2])
                return "close", code
            if opcode == PING:
                self._send(PONG, payload)
                self.pings_answered += 1

    async def receive_json(self, predicate: Any = lambda event: True, timeout: float = 10) -> dict[str, Any]:
        while True:
            kind, value = await self.receive(timeout=timeout)
            if kind != "text":
                raise AssertionError(f"socket ended ({kind} {value}) while waiting for a message")
            if predicate(value):
                return value

    def close(self, code: int | None = None) -> None:
        """Drop the connection; with ``code``, say goodbye with a close frame first."""
        if code is not None:
            self._send(CLOSE, struct.pack("!H", code))
        self.writer.close()
