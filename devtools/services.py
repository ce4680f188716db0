"""Private servers for `make run`, the test suite and the bench: Redis here, DynamoDB Local in
dynamodb_local.py.

Each runs as a child process on a port of its own, so nothing on the machine is touched.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


class ServiceError(RuntimeError):
    pass


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, name: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceError(f"{name} exited with code {process.returncode} while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise ServiceError(f"{name} did not listen on port {port} within {timeout:.0f}s")


def ensure_redis_server() -> str:
    """The path of redis-server, installing Debian's package when missing and we are root."""
    path = shutil.which("redis-server")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("redis-server is missing; installing it with apt-get ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "redis-server"], check=True, env=env
        )
        path = shutil.which("redis-server")
        if path:
            return path
    raise ServiceError("Redis is required: install it with `sudo apt-get install redis-server` (or set REDIS_URL).")


@dataclass
class Service:
    name: str
    url: str
    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def running(self) -> bool:
        return self.process.poll() is None


def start_redis(port: int | None = None, log_file: Path | None = None, detach: bool = False) -> Service:
    binary = ensure_redis_server()
    port = port or free_port()
    args = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    args += ["--logfile", str(log_file) if log_file else ""]
    # detach: own session, so a Ctrl-C in the terminal leaves it running until we stop it.
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=detach)
    wait_for_port(port, process, "redis-server")
    return Service("redis", f"redis://127.0.0.1:{port}/0", process)


def ensure_chromium() -> str | None:
    """Debian's chromium for browser tests, installed when missing and we are root."""
    path = shutil.which("chromium")
    if path or os.geteuid() != 0 or not shutil.which("apt-get"):
        return path
    print("chromium is missing; installing Debian's chromium for the browser tests ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    # Without recommends: chromium alone, not the printing, audio and desktop stack it suggests.
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"], check=True, env=env)
    return shutil.which("chromium")
