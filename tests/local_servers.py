"""The test doubles' servers (fake Stripe, SNS certificates, SMTP, push, a faulty DynamoDB) run in
a thread of the test process."""

from __future__ import annotations

import socketserver
import threading

# socketserver's loop notices shutdown() only between polls, every 0.5 s by default: that was half
# a second of every test that stopped one of these servers.
POLL_SECONDS = 0.02


def serve_in_background(server: socketserver.BaseServer) -> threading.Thread:
    """Serve ``server`` from a daemon thread until ``server.shutdown()``."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True)
    thread.start()
    return thread
