"""`auditor run` as a process: HTTP endpoints, filters, graceful SIGTERM, --once exit codes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.unit.daemon.estate import write_estate

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(tmp_path: Path, port: int) -> Path:
    estate = write_estate(tmp_path)
    path = tmp_path / "auditor.yaml"
    path.write_text(
        f"state: {{path: {tmp_path / 'state.db'}}}\n"
        f"daemon: {{port: {port}, jitter_seconds: 0}}\n"
        "sources:\n"
        f"  - {{name: gitops, type: files, paths: [{estate}], interval_seconds: 1}}\n"
        f"  - {{name: gone, type: files, paths: [{tmp_path / 'missing'}]}}\n",
        encoding="utf-8",
    )
    return path


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _auditor(*args: str) -> list[str]:
    return [sys.executable, "-m", "auditor", *args]


@pytest.mark.slow
def test_daemon_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    """The daemon becomes ready after its first cycle, serves findings with filters and
    metrics, and exits 0 on SIGTERM."""
    port = _free_port()
    config = _config(tmp_path, port)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        _auditor("run", "--config", str(config)),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        status = 0
        while time.monotonic() < deadline:
            try:
                status, _ = _get(base + "/readyz")
            except OSError:
                status = 0
            if status == 200:
                break
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            time.sleep(0.1)
        assert status == 200
        assert _get(base + "/healthz") == (200, b"ok\n")
        _, body = _get(base + "/findings")
        everything = json.loads(body)["findings"]
        assert {f["source"] for f in everything} == {"gitops", "gone"}
        _, body = _get(base + "/findings?severity=high&source=gitops")
        serious = json.loads(body)["findings"]
        assert serious and all(f["severity"] in ("critical", "high") for f in serious)
        assert all(f["source"] == "gitops" for f in serious)
        assert len(serious) < len(everything)
        _, body = _get(base + "/findings?rule=auditor-source-*")
        assert [f["resource"]["id"] for f in json.loads(body)["findings"]] == ["gone"]
        assert _get(base + "/findings?severity=urgent")[0] == 400
        assert _get(base + "/nowhere")[0] == 404
        status, _ = _get(base + "/metrics")
        assert status == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.slow
def test_once_exits_like_the_scan_gate(tmp_path: Path) -> None:
    """`run --once` exits 1 with open high findings, 0 with --fail-on none."""
    config = _config(tmp_path, _free_port())
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    failing = subprocess.run(
        _auditor("run", "--once", "--config", str(config)),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert failing.returncode == 1, failing.stderr
    passing = subprocess.run(
        _auditor("run", "--once", "--fail-on", "none", "--config", str(config)),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert passing.returncode == 0, passing.stderr


def test_run_without_sources_is_a_config_error(tmp_path: Path) -> None:
    """A config with no sources gives a one-line error and exit 2."""
    path = tmp_path / "auditor.yaml"
    path.write_text(f"state: {{path: {tmp_path / 's.db'}}}\n", encoding="utf-8")
    completed = subprocess.run(
        _auditor("run", "--once", "--config", str(path)),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stderr.strip() == (
        "error: auditor run needs at least one enabled source in `sources`"
    )


def test_a_taken_port_is_a_one_line_error(tmp_path: Path) -> None:
    """When the HTTP port is taken the daemon says so in one line and exits 2."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        completed = subprocess.run(
            _auditor("run", "--config", str(_config(tmp_path, port))),
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines()[-1] == (
        f"error: daemon: cannot listen on 127.0.0.1:{port}: Address already in use"
    )
