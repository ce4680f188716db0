"""A real HTTP server that stands in front of DynamoDB and misbehaves on request.

autolab is pointed at it through the DynamoDB endpoint setting. It forwards each request to the
real engine, or answers DynamoDB's own throttling errors, drops the connection, or stalls: the
faults a busy or failing DynamoDB produces, on the wire, with nothing in autolab replaced.
"""

from __future__ import annotations

import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

from tests.local_servers import serve_in_background

JSON_TYPE = "application/x-amz-json-1.0"


class FaultyDynamoDB:
    def __init__(self, upstream_url: str) -> None:
        upstream = urlparse(upstream_url)
        self.upstream = (upstream.hostname or "127.0.0.1", upstream.port or 80)
        self.operations: list[str] = []  # every request seen, by DynamoDB operation name
        self._fault: str | None = None  # an error code, "drop", "stall", or None (forward)
        self._remaining: int | None = None  # how many requests get the fault (None: all)
        self._only: str | None = None  # the one operation that gets the fault (None: all)
        self._stall_after: str | None = None
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        serve_in_background(self._server)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    # --- what the next requests get --------------------------------------------------------
    def fail(self, fault: str, times: int | None = None, operation: str | None = None) -> None:
        """``fault`` is a DynamoDB error code, ``"drop"`` (close without answering) or ``"stall"``;
        for the next ``times`` requests (all when None) of ``operation`` (any when None)."""
        with self._lock:
            self._fault, self._remaining, self._only = fault, times, operation

    def stall_after(self, operation: str) -> None:
        """Forward until one ``operation`` has been answered, then stall every later request."""
        with self._lock:
            self._stall_after = operation

    def forward(self) -> None:
        with self._lock:
            self._fault, self._remaining, self._only, self._stall_after = None, None, None, None
        self._released.set()
        self._released = threading.Event()

    def close(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    def count(self, operation: str) -> int:
        return self.operations.count(operation)

    # --- the server --------------------------------------------------------------------------
    def _next_fault(self, operation: str) -> str | None:
        with self._lock:
            self.operations.append(operation)
            if self._fault is None or self._remaining == 0 or self._only not in (None, operation):
                return None
            if self._remaining is not None:
                self._remaining -= 1
            return self._fault

    def _answered(self, operation: str) -> None:
        with self._lock:
            if self._stall_after == operation:
                self._fault, self._remaining, self._only, self._stall_after = "stall", None, None, None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        faulty = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet: no line per request
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                operation = (self.headers.get("X-Amz-Target") or "").rpartition(".")[2]
                fault = faulty._next_fault(operation)
                if fault == "stall":
                    faulty._released.wait(timeout=120)
                    self.close_connection = True
                    return
                if fault == "drop":
                    self.close_connection = True
                    return
                if fault is not None:
                    message = {"__type": f"com.amazonaws.dynamodb.v20120810#{fault}", "message": "Rate exceeded"}
                    self._answer(400, {"Content-Type": JSON_TYPE}, json.dumps(message).encode())
                    return
                status, headers, answer = self._forward(body)
                self._answer(status, headers, answer)
                faulty._answered(operation)

            def _forward(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
                upstream = http.client.HTTPConnection(*faulty.upstream, timeout=30)
                try:
                    upstream.request("POST", self.path, body=body, headers=dict(self.headers.items()))
                    response = upstream.getresponse()
                    skip = {"content-length", "transfer-encoding", "connection"}
                    headers = {k: v for k, v in response.getheaders() if k.lower() not in skip}
                    return response.status, headers, response.read()
                finally:
                    upstream.close()

            def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
