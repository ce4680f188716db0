"""`python -m devtools.ensure`: install the system packages the tests need (Redis, Chromium)."""

import sys

from devtools.services import ServiceError, ensure_chromium, ensure_redis_server


def main() -> int:
    try:
        ensure_redis_server()
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
