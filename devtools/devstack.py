"""`make run`: the whole stack on this machine, with demo data that survives a restart.

Starts a private Redis and Amazon DynamoDB Local (data on disk under var/dynamodb, so it survives a
restart and even a `kill -9`) unless REDIS_URL / DYNAMODB_ENDPOINT_URL are set, migrates, creates
tables, restores the newest dev backup into an engine that starts empty, seeds, then runs web
(daphne), worker and beat together. A backup is written every few minutes and on Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from devtools.dynamodb_local import start_dynamodb_local
from devtools.services import Service, ServiceError, free_port, port_is_free, start_redis
from staffapp.demo import DEMO_PASSWORD, DEMO_STAFF

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
BACKUP_EVERY_SECONDS = 300


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def manage(*args: str, env: dict[str, str], check: bool = True) -> int:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=check).returncode


def _port(preferred: int) -> int:
    return preferred if port_is_free(preferred) else free_port()


def start_services(env: dict[str, str]) -> tuple[list[Service], bool]:
    """Redis and DynamoDB Local unless their URLs are given; the flag says whether the engine
    starts empty (a first run, or var/dynamodb deleted), so the last backup should go back in."""
    services: list[Service] = []
    if not env.get("REDIS_URL"):
        step("Starting a private Redis")
        redis = start_redis(port=_port(6390), log_file=VAR / "log" / "redis.log", detach=True)
        services.append(redis)
        env["REDIS_URL"] = redis.url
    if env.get("DYNAMODB_ENDPOINT_URL"):
        return services, False
    db_path = Path(env.get("DYNAMODB_LOCAL_DB_PATH") or VAR / "dynamodb")
    starts_empty = not (db_path / "shared-local-instance.db").exists()
    step(f"Starting DynamoDB Local (data in {db_path})")
    dynamodb = start_dynamodb_local(
        port=_port(8001), log_file=VAR / "log" / "dynamodb.log", detach=True, db_path=db_path
    )
    services.append(dynamodb)
    env.update({"DYNAMODB_ENDPOINT_URL": dynamodb.url, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"})
    return services, starts_empty


def prepare_data(env: dict[str, str], starts_empty: bool) -> None:
    """Migrate, create tables, restore (an engine with data on disk is newer than any backup, so
    only an empty one takes it back) and seed, in one Django process (autolab's prepare_dev)."""
    manage("prepare_dev", *(["--restore"] if starts_empty else []), env=env)


def start_processes(env: dict[str, str], port: int) -> list[subprocess.Popen]:
    bin_dir = Path(sys.executable).parent
    commands = {
        "web": [sys.executable, "-m", "autolab.serve", "-b", "127.0.0.1", "-p", str(port), "autolab.asgi:application"],
        "worker": [str(bin_dir / "celery"), "-A", "autolab", "worker", "--loglevel", "INFO", "--concurrency", "2"],
        "beat": [
            str(bin_dir / "celery"),
            "-A",
            "autolab",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(VAR / "celerybeat-schedule"),
        ],
    }
    processes = []
    for name, command in commands.items():
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        threading.Thread(target=_relay, args=(name, process), daemon=True).start()
        processes.append(process)
    return processes


def _relay(name: str, process: subprocess.Popen) -> None:
    for line in process.stdout or []:
        print(f"{name:>6} | {line}", end="", flush=True)


def _periodic_backup(env: dict[str, str], stop: threading.Event) -> None:
    while not stop.wait(BACKUP_EVERY_SECONDS):
        manage("backup", "--quiet", env=env, check=False)


def print_welcome(port: int, env: dict[str, str]) -> None:
    email = DEMO_STAFF[0][0]
    print(
        f"\n  Staff portal : http://127.0.0.1:{port}/admin/   (sign in as {email} / {DEMO_PASSWORD})\n"
        f"  API docs     : http://127.0.0.1:{port}/api/docs/\n"
        f"  Health       : http://127.0.0.1:{port}/api/health\n"
        f"  Chat socket  : ws://127.0.0.1:{port}/ws/\n"
        f"  Emails       : {env.get('EMAIL_FILE_PATH', VAR / 'mail')}\n"
        "  Press Ctrl-C to stop (a backup is written first).\n",
        flush=True,
    )


def _owns_dynamodb(services: list[Service]) -> bool:
    return any(service.name == "dynamodb" for service in services)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    # Ctrl-C and a plain `kill` both stop the stack cleanly (and write the backup).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    (VAR / "log").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "autolab.settings.base", "PYTHONUNBUFFERED": "1"}
    env.setdefault("AUTOLAB_ENV", "dev")
    port = int(env.get("PORT", "8000"))
    try:
        services, starts_empty = start_services(env)
    except ServiceError as error:
        print(error, file=sys.stderr)
        return 1
    processes: list[subprocess.Popen] = []
    stop = threading.Event()
    try:
        prepare_data(env, starts_empty)
        sys.path.insert(0, str(ROOT))
        print_welcome(port, env)
        processes = start_processes(env, port)
        if _owns_dynamodb(services):
            threading.Thread(target=_periodic_backup, args=(env, stop), daemon=True).start()
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        step("A process stopped; shutting down")
    except KeyboardInterrupt:
        step("Stopping")
    finally:
        stop.set()
        _shutdown(processes, services, env)
    return 0


def _shutdown(processes: list[subprocess.Popen], services: list[Service], env: dict[str, str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the backup
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    if _owns_dynamodb(services) and all(service.running() for service in services):
        step("Backing up dev data")
        manage("backup", env=env, check=False)
    for service in services:
        service.stop()
    step("Stopped")


if __name__ == "__main__":
    sys.exit(main())
