"""The web process: daphne with a graceful stop (``python -m autolab.serve`` takes daphne's arguments).

On SIGTERM (a deploy, a scale-in, Ctrl-C) plain daphne stops its reactor and drops every socket,
so browsers see an abnormal 1006. Here each open WebSocket is first closed with 1001 "going away"
and given a moment to answer; the website then reconnects and re-sends ``init`` with its userId.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time

from daphne.cli import CommandLineInterface
from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol

logger = logging.getLogger(__name__)

GOING_AWAY = 1001
CLOSE_WAIT_SECONDS = 2.0  # at most this long for clients to answer the close and handlers to finish
# A stop is bounded: if anything still holds the process this long after the sockets were closed
# (an application instance or a client thread stuck on a dead connection), it exits anyway rather
# than waiting for the orchestrator's SIGKILL. Every socket has had its 1001 by then.
STOP_DEADLINE_SECONDS = 10.0


class GracefulServer(Server):
    def run(self) -> None:
        # Imported here, not at the top: the reactor is the one daphne installs when it starts.
        from twisted.internet import reactor

        # "before shutdown" triggers run first; the Deferred returned holds the stop until it fires.
        # Twisted's zope interfaces declare methods without ``self``, which mypy reads one argument
        # off without the mypy-zope plugin.
        reactor.addSystemEventTrigger("before", "shutdown", self.close_websockets)  # type: ignore[arg-type]
        super().run()

    def close_websockets(self) -> object:
        from twisted.internet import reactor, task

        sockets = [
            protocol
            for protocol in list(self.connections)
            if isinstance(protocol, WebSocketProtocol) and protocol.state == protocol.STATE_OPEN
        ]
        logger.info("Stopping: closing %d WebSockets with %d (going away)", len(sockets), GOING_AWAY)
        deadline_timer = threading.Timer(STOP_DEADLINE_SECONDS, _exit_now)
        deadline_timer.daemon = True  # a clean stop does not wait for it
        deadline_timer.start()
        for protocol in sockets:
            # autobahn's public sendClose only allows 1000 and 3000-4999 (application codes);
            # 1001 is the protocol's own "going away", sent through its close-frame method.
            protocol.sendCloseFrame(code=GOING_AWAY, reasonUtf8=b"server restarting")
        deadline = time.monotonic() + CLOSE_WAIT_SECONDS

        def wait() -> object:
            if time.monotonic() < deadline and self._still_closing(sockets):
                return task.deferLater(reactor, 0.05, wait)
            return None

        return wait()

    def _still_closing(self, sockets: list[WebSocketProtocol]) -> bool:
        """A socket has not answered its close, or an application instance is still running.

        The second matters as much: a consumer's disconnect handler runs its service in a worker
        thread that publishes through ``async_to_sync``, which needs this event loop. Were the
        reactor to stop under it, that thread would wait forever and the interpreter's exit, which
        joins it, would hang until the deadline timer (a client leaving as the stop began).
        """
        if any(protocol.state != protocol.STATE_CLOSED for protocol in sockets):
            return True
        instances = [details.get("application_instance") for details in list(self.connections.values())]
        return any(instance is not None and not instance.done() for instance in instances)


def _exit_now() -> None:
    logger.warning("Stop took longer than %.0f s; exiting without waiting further", STOP_DEADLINE_SECONDS)
    logging.shutdown()
    os._exit(0)


class GracefulCommandLine(CommandLineInterface):
    server_class = GracefulServer


def main() -> None:
    GracefulCommandLine().run(sys.argv[1:])


if __name__ == "__main__":
    main()
