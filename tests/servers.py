"""Real servers for tests that cross process boundaries: redis-server and gunicorn workers.

In CI a missing program is a failure (.ci/run installs it); on a developer machine the test is skipped."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def require(program: str, package: str) -> str:
    """The path of ``program``; fails in CI, skips elsewhere, when it is not installed."""
    found = shutil.which(program) or (f"/usr/sbin/{program}" if Path(f"/usr/sbin/{program}").exists() else None)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{program} is missing: .ci/run must install Debian's {package}")
    pytest.skip(f"{program} is not installed (apt-get install {package})")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {seconds} s")


@contextmanager
def running(command: list[str], port: int, *, env: dict | None = None, cwd: Path = REPO, log: Path | None = None):
    """Start ``command``, wait until it listens on ``port``, and stop it afterwards whatever happens."""
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log:
            out.close()


@contextmanager
def redis_server(tmp_path: Path):
    """A throw-away redis-server on a free loopback port; yields its URL."""
    program = require("redis-server", "redis-server")
    port = free_port()
    with running([program, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                  "--dir", str(tmp_path)], port):
        yield f"redis://127.0.0.1:{port}/0"


@contextmanager
def gunicorn(env: dict, tmp_path: Path, workers: int = 4):
    """The app under gunicorn with ``workers`` processes on a free port; yields its base URL."""
    port = free_port()
    program = str(Path(sys.executable).with_name("gunicorn"))
    if not Path(program).exists():
        require("gunicorn", "gunicorn (pip install -e '.[server]')")
    with running([program, "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "wsgi:app"], port,
                 env={"FLASK_APP": "wsgi", **env}, log=tmp_path / "gunicorn.log"):
        yield f"http://127.0.0.1:{port}"
