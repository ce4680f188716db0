"""`python -m devtools.ensure`: install what the tests need outside Python (Redis, Java and
DynamoDB Local, Chromium, axe-core), or say in one sentence what to install."""

import sys

from devtools import axe
from devtools.dynamodb_local import ensure_java, installation
from devtools.services import ServiceError, ensure_chromium, ensure_redis_server


def main() -> int:
    try:
        ensure_redis_server()
        ensure_java()
        installation()  # fetched once into a cache outside the repository
        axe.installation()  # the browser tests' accessibility engine, likewise
    except ServiceError as error:
        print(error, file=sys.stderr)
        return 1
    if ensure_chromium() is None:
        print(
            "Chromium is required for the browser tests: install it with `sudo apt-get install chromium`.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
