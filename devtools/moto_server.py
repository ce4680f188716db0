"""moto's server with one request at a time: DynamoDB's conditional writes are atomic, moto's are not.

moto evaluates a ConditionExpression and then applies the update as separate Python steps, and its
server handles requests in threads, so two racing conditional writes can both pass (the races the
test suite fires on purpose). Serialising the backend restores DynamoDB's per-request atomicity;
moto is CPU-bound under the GIL anyway, so this costs next to nothing.
Usage: python devtools/moto_server.py -H 127.0.0.1 -p PORT
"""

from __future__ import annotations

import argparse
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.threaded_moto_server import MotoRequestHandler
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple


class SerialisedApp:
    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self.lock:
            return list(self.app(environ, start_response))  # the body is produced inside the lock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))
    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True  # as moto's own server
    run_simple(args.host, args.port, SerialisedApp(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
