"""`make bench`: seed a realistic data set into a private local DynamoDB and measure every endpoint.

Each suite is a module ``bench/bench_<area>.py`` with ``run() -> list[Measurement] | str``;
results are written to bench/results.md with the machine and date.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import platform
import sys
import tempfile
from pathlib import Path

from devtools.services import start_moto, start_redis

BENCH_DIR = Path(__file__).resolve().parent


def _start_services() -> list:
    log_dir = Path(tempfile.mkdtemp(prefix="autolab-bench-"))
    redis, moto = start_redis(log_file=log_dir / "redis.log"), start_moto(log_file=log_dir / "moto.log")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "autolab.settings.test",
            "AUTOLAB_ENV": "bench",
            "DYNAMODB_ENDPOINT_URL": moto.url,
            "REDIS_URL": redis.url,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "API_RATE_LIMITS": "off",
            # 20 clients queue on the local engine (one request at a time); don't time them out.
            "DYNAMODB_READ_TIMEOUT_SECONDS": "300",
            "MEDIA_ROOT": str(log_dir / "media"),
            # A file, not memory: the 20-client measurements use one database connection per thread.
            "DATABASE_URL": f"sqlite:///{log_dir / 'auth.sqlite3'}",
        }
    )
    return [redis, moto]


def _suites(only: list[str]) -> list[str]:
    names = sorted(m.name for m in pkgutil.iter_modules([str(BENCH_DIR)]) if m.name.startswith("bench_"))
    return [n for n in names if not only or n.removeprefix("bench_") in only]


def _write_results(sections: list[str]) -> None:
    """Write the header and the suites just run; keep other suites' sections of an earlier run."""
    path = BENCH_DIR / "results.md"
    fresh = {section.split("\n", 1)[0]: section for section in sections[1:]}
    kept = []
    if path.exists():
        for chunk in path.read_text().split("\n## ")[1:]:
            section = f"## {chunk.rstrip()}\n"
            if section.split("\n", 1)[0] not in fresh:
                kept.append(section)
    path.write_text("\n".join([sections[0], *sorted(kept + list(fresh.values()))]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", default=[], help="suite names, e.g. bookings shop")
    args = parser.parse_args()
    services = _start_services()
    try:
        import django

        django.setup()
        from django.test.utils import setup_test_environment

        from autolab import clock
        from autolab.tables import ensure_tables

        setup_test_environment()
        from django.test.utils import setup_databases

        setup_databases(verbosity=0, interactive=False)
        list(ensure_tables())
        sections = [
            f"# Benchmarks\n\nMachine: {platform.node()} ({platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}), local DynamoDB: moto server; date {clock.now():%Y-%m-%d %H:%M} UTC.\n"
        ]
        for name in _suites(args.only):
            print(f"==> {name}", flush=True)
            module = importlib.import_module(f"bench.{name}")
            result = module.run()
            if not isinstance(result, str):
                from bench.harness import table

                result = table(result)
            sections.append(f"## {name.removeprefix('bench_')}\n\n{module.__doc__ or ''}\n\n{result}\n")
            print(result, flush=True)
        _write_results(sections)
        print(f"Results written to {BENCH_DIR / 'results.md'}")
    finally:
        for service in services:
            service.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
