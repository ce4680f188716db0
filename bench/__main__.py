"""`make bench`: seed a realistic data set into a private local DynamoDB and measure every endpoint.

Each suite is a module ``bench/bench_<area>.py`` with ``run() -> list[Measurement]``; results are
written to bench/results.md with the machine and date.

``--engine dynamodb-local`` (the default) runs on Amazon DynamoDB Local in memory; ``--engine moto``
on moto's server; ``--engine both`` (``make bench ENGINE=both``) runs each suite on both, each in a
process and engine of its own, and writes both figures and their ratio per row.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import pkgutil
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from devtools.dynamodb_local import start_dynamodb_local
from devtools.services import Service, free_port, start_redis, wait_for_port

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
ENGINES = {"dynamodb-local": "DynamoDB Local", "moto": "moto server"}


def _start_moto(log_file: Path) -> Service:
    """moto's plain (threaded, non-serialised) server, the engine the project used before."""
    port = free_port()
    with open(log_file, "ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    wait_for_port(port, process, "moto server")
    return Service("dynamodb", f"http://127.0.0.1:{port}", process)


def _start_services(engine: str) -> list[Service]:
    log_dir = Path(tempfile.mkdtemp(prefix="autolab-bench-"))
    redis = start_redis(log_file=log_dir / "redis.log")
    if engine == "moto":
        dynamodb = _start_moto(log_dir / "moto.log")
    else:
        dynamodb = start_dynamodb_local(log_file=log_dir / "dynamodb.log", max_heap="2g")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "autolab.settings.test",
            "AUTOLAB_ENV": "bench",
            "DYNAMODB_ENDPOINT_URL": dynamodb.url,
            "REDIS_URL": redis.url,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "API_RATE_LIMITS": "off",
            # 20 clients may queue on a slow engine (moto); don't time them out.
            "DYNAMODB_READ_TIMEOUT_SECONDS": "300",
            "MEDIA_ROOT": str(log_dir / "media"),
            # A file, not memory: the 20-client measurements use one database connection per thread.
            "DATABASE_URL": f"sqlite:///{log_dir / 'auth.sqlite3'}",
        }
    )
    return [redis, dynamodb]


def _suites(only: list[str]) -> list[str]:
    names = sorted(m.name for m in pkgutil.iter_modules([str(BENCH_DIR)]) if m.name.startswith("bench_"))
    return [n for n in names if not only or n.removeprefix("bench_") in only]


def _header(engines: str) -> str:
    from autolab import clock

    return (
        f"# Benchmarks\n\nMachine: {platform.node()} ({platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}), local DynamoDB: {engines}; date {clock.now():%Y-%m-%d %H:%M} UTC.\n"
    )


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


def _section(name: str, table_text: str) -> str:
    module = importlib.import_module(f"bench.{name}")
    return f"## {name.removeprefix('bench_')}\n\n{module.__doc__ or ''}\n\n{table_text}\n"


def _run_suites(engine: str, suites: list[str]) -> dict[str, list]:
    """Run ``suites`` in this process on a fresh ``engine``; measurements by suite."""
    services = _start_services(engine)
    try:
        import django

        django.setup()
        from django.test.utils import setup_databases, setup_test_environment

        from autolab.tables import ensure_tables

        setup_test_environment()
        setup_databases(verbosity=0, interactive=False)
        list(ensure_tables())
        results = {}
        for name in suites:
            print(f"==> {name} on {ENGINES[engine]}", flush=True)
            results[name] = importlib.import_module(f"bench.{name}").run()
        return results
    finally:
        for service in services:
            service.stop()


def _measurements_from_json(rows: list[dict]) -> list:
    from bench.harness import Measurement

    def build(row: dict) -> Measurement:
        extra = dict(row.get("extra") or {})
        if isinstance(extra.get("concurrent"), dict):
            extra["concurrent"] = build(extra["concurrent"])
        return Measurement(**{**row, "extra": extra})

    return [build(row) for row in rows]


def _run_in_child(engine: str, suite: str) -> list:
    """One suite on one engine in a process of its own (settings and connections are per process)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as output:
        path = Path(output.name)
    command = [sys.executable, "-m", "bench", "--engine", engine, "--only", suite.removeprefix("bench_")]
    subprocess.run([*command, "--json", str(path)], cwd=ROOT, check=True)
    try:
        return _measurements_from_json(json.loads(path.read_text())[suite])
    finally:
        path.unlink()


def _both(suites: list[str]) -> int:
    from bench.harness import side_by_side

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autolab.settings.test")
    import django

    django.setup()
    sections = [_header("DynamoDB Local 1.25.1 and moto server 5.2.5, side by side")]
    for name in suites:
        local, moto = _run_in_child("dynamodb-local", name), _run_in_child("moto", name)
        text = side_by_side(local, moto)
        print(text, flush=True)
        sections.append(_section(name, text))
        _write_results(sections)  # a long run keeps what it has measured so far
    print(f"Results written to {BENCH_DIR / 'results.md'}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", default=[], help="suite names, e.g. bookings shop")
    parser.add_argument("--engine", choices=[*ENGINES, "both"], default=os.environ.get("ENGINE") or "dynamodb-local")
    parser.add_argument("--json", type=Path, help="write the measurements as JSON here instead of results.md")
    args = parser.parse_args()
    suites = _suites(args.only)
    if args.engine == "both":
        return _both(suites)
    results = _run_suites(args.engine, suites)
    if args.json:
        rows = {name: [dataclasses.asdict(m) for m in measurements] for name, measurements in results.items()}
        args.json.write_text(json.dumps(rows))
        return 0
    from bench.harness import table

    sections = [_header(ENGINES[args.engine])]
    for name, measurements in results.items():
        text = table(measurements)
        print(text, flush=True)
        sections.append(_section(name, text))
    _write_results(sections)
    print(f"Results written to {BENCH_DIR / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
