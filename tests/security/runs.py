"""auditor as the operator runs it — `run --once`, `scan --config`, the daemon for one cycle —
in subprocesses at debug level, and everything each one said or wrote, by channel."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPORT_FORMATS = ("json", "sarif", "junit")


@dataclass
class Said:
    """What one invocation produced, as (channel, bytes) pairs."""

    name: str
    returncode: int | None = None
    channels: dict[str, bytes] = field(default_factory=dict)

    def add(self, channel: str, data: bytes) -> None:
        """Record one channel's output."""
        self.channels[f"{self.name}: {channel}"] = data

    def text(self, channel: str) -> str:
        """One channel as text."""
        return self.channels[f"{self.name}: {channel}"].decode("utf-8", "replace")


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "auditor", *args]


def start(args: list[str], env: dict[str, str], workdir: Path) -> subprocess.Popen[bytes]:
    """Start auditor with `args`, its output captured to files in `workdir`."""
    workdir.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        _command(*args),
        env={**os.environ, **env},
        cwd=workdir,
        stdout=(workdir / "stdout").open("wb"),
        stderr=(workdir / "stderr").open("wb"),
    )


def finish(process: subprocess.Popen[bytes], said: Said, workdir: Path, timeout: float) -> None:
    """Wait for the process; record its exit status, stdout and stderr."""
    try:
        said.returncode = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"{said.name} did not finish in {timeout:g} s") from None
    said.add("stdout", (workdir / "stdout").read_bytes())
    said.add("stderr (structlog JSON at debug)", (workdir / "stderr").read_bytes())


def state_store(said: Said, path: Path) -> None:
    """The SQLite file's bytes (and its WAL, if any), and a dump of every table."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        file = path.with_name(path.name + suffix)
        if file.exists():
            said.add(f"state store file {file.name}", file.read_bytes())
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            rows = db.execute(f'SELECT * FROM "{table}"').fetchall()
            said.add(f"state store table {table}", repr(rows).encode())
        said.add("state store dump", "\n".join(db.iterdump()).encode())
    assert tables, f"no tables in {path}"


def get(url: str) -> tuple[int, bytes]:
    """GET `url`: status and body (error statuses included)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as exc:
        return int(exc.code), bytes(exc.read())
    except OSError:
        return 0, b""


def wait_ready(base: str, process: subprocess.Popen[bytes], said: Said, timeout: float) -> None:
    """Poll /readyz until the daemon's first cycle of every source is done."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{said.name} exited early with {process.returncode}")
        if get(f"{base}/readyz")[0] == 200:
            return
        time.sleep(0.3)
    raise AssertionError(f"{said.name} not ready after {timeout:g} s")


def read_daemon(
    process: subprocess.Popen[bytes],
    port: int,
    workdir: Path,
    said: Said,
    paths: tuple[str, ...],
    timeout: float,
) -> None:
    """After the first cycle: every endpoint's body; then SIGTERM and the process output."""
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process, said, timeout)
        for path in paths:
            status, body = get(f"{base}{path}")
            assert status == 200, (path, status, body[:200])
            said.add(f"GET {path}", body)
    finally:
        process.send_signal(signal.SIGTERM)
        finish(process, said, workdir, timeout=30)
