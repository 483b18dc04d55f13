"""`auditor demo` as `make demo` runs it: real MariaDB, tansu and Airflow 3, the daemon over
them, a bounded run without a terminal, one plain line for what cannot start, and nothing
left running afterwards."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.demo.live.airflow import airflow_venv

REPO = Path(__file__).resolve().parents[2]
DEMO_TIMEOUT = 600  # the Airflow fixtures' 240 s for DAG parsing, plus everything else


@pytest.fixture(scope="module", autouse=True)
def venv() -> Path:
    """The Airflow venv the integration tests use, built once per machine before the demo
    needs it (so a cold build is not inside the demo's timeout)."""
    return airflow_venv()


class Demo:
    """One `python -m auditor demo` process with a --record file; stops what it started."""

    def __init__(
        self,
        tmp_path: Path,
        *args: str,
        env: dict[str, str] | None = None,
        stdin: int = subprocess.DEVNULL,
    ) -> None:
        self.record_path = tmp_path / "record.json"
        self.stdout_path = tmp_path / "demo.out"
        with self.stdout_path.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "auditor", "demo", "--workdir", str(tmp_path / "work"),
                 "--record", str(self.record_path), *args],
                stdin=stdin, stdout=out, stderr=subprocess.STDOUT, cwd=REPO,
                env={**os.environ, **(env or {})},
                start_new_session=True,  # its own process group, as a shell's foreground job
            )  # fmt: skip

    @property
    def output(self) -> str:
        """Everything it printed so far."""
        return self.stdout_path.read_text(errors="replace")

    def record(self) -> dict[str, Any]:
        """What it says it started and found (written as it goes)."""
        if not self.record_path.exists():
            return {}
        try:
            loaded: dict[str, Any] = json.loads(self.record_path.read_text())
        except json.JSONDecodeError:  # caught mid-write
            return {}
        return loaded

    def wait(self, timeout: float = DEMO_TIMEOUT) -> int:
        """Its exit status."""
        return self.process.wait(timeout=timeout)

    def pids(self) -> list[int]:
        """Every process id it reported starting."""
        record = self.record()
        found = [pid for c in record.get("components", []) for pid in c.get("pids", [])]
        return [*found, *([record["daemon"]["pid"]] if record.get("daemon") else [])]

    def ports(self) -> list[int]:
        """Every port it reported listening on."""
        record = self.record()
        found = [port for c in record.get("components", []) for port in c.get("ports", [])]
        return [*found, *([record["daemon"]["port"]] if record.get("daemon") else [])]

    def clean_up(self) -> None:
        """SIGTERM the demo (its own clean-up), then kill whatever it reported starting."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for pid in self.pids():
            for kill in (os.killpg, os.kill):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    kill(pid, signal.SIGKILL)


@pytest.fixture
def started() -> Iterator[list[Demo]]:
    """Demos started by a test, stopped even when the test fails."""
    demos: list[Demo] = []
    yield demos
    for demo in demos:
        demo.clean_up()


def _alive(pid: int) -> bool:
    for probe in (os.killpg, os.kill):
        try:
            probe(pid, 0)
        except ProcessLookupError:
            continue
        except PermissionError:
            return True
        return True
    return False


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def _assert_nothing_left(demo: Demo) -> None:
    assert demo.pids(), "the demo reported no processes"
    assert [pid for pid in demo.pids() if _alive(pid)] == []
    assert [port for port in demo.ports() if _listening(port)] == []


def _found(record: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(f["source"], f["rule_id"], f["resource"]["id"]) for f in record["findings"]}


@pytest.mark.slow
@pytest.mark.timeout(DEMO_TIMEOUT + 180)
def test_bounded_demo_finds_each_live_breakage_and_leaves_nothing_running(
    tmp_path: Path, started: list[Demo]
) -> None:
    """Without a terminal the demo runs two cycles: the lagging replica, the lagging group and
    the stale DAG each raise their finding beside the static estate's, metrics were served,
    it exits 0 and no process or port it started is left."""
    demo = Demo(tmp_path, "--interval", "3")
    started.append(demo)
    assert demo.wait() == 0, demo.output
    record = demo.record()
    assert [c["status"] for c in record["components"]] == ["started"] * 3, demo.output
    found = _found(record)
    assert ("shop-db", "mysql-replication-lag", "shop-db/replica/default") in found
    assert ("events", "kafka-group-lag-seconds", "events/warehouse-loader") in found
    assert ("airflow", "airflow-dag-data-stale", "airflow/orders_hourly") in found
    assert {rule for source, rule, _ in found if source == "estate"} >= {
        "gcp-iam-external-domain",
        "gke-configmap-secret-content",
    }
    assert record["metrics_served"] is True and record["cycles"] == 2
    output = demo.output
    for path in ("/metrics", "/findings", "/healthz"):
        assert f"{record['daemon']['url']}{path}" in output
    assert "mysql-replication-lag" in output and "airflow-dag-data-stale" in output
    assert "stopped: every process the demo started has exited" in output
    _assert_nothing_left(demo)


def _metrics(url: str) -> str:
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:
        return bytes(response.read()).decode()


@pytest.mark.slow
@pytest.mark.timeout(DEMO_TIMEOUT + 180)
def test_missing_components_are_one_line_each_and_the_rest_runs_until_sigterm(
    tmp_path: Path, started: list[Demo]
) -> None:
    """No mariadbd on PATH and $TANSU_BINARY at a missing file: one plain line each, the
    Airflow source and the static estate still run and serve metrics, and SIGTERM stops
    everything with exit 0."""
    path = f"{Path(sys.executable).parent}:/bin"  # /usr/sbin (mariadbd) left out
    demo = Demo(tmp_path, "--interval", "3", "--cycles", "1000",
                env={"PATH": path, "TANSU_BINARY": str(tmp_path / "no-tansu")})  # fmt: skip
    started.append(demo)
    deadline = time.monotonic() + DEMO_TIMEOUT
    while "more cycle(s)" not in demo.output:  # the daemon is ready
        assert demo.process.poll() is None, demo.output
        assert time.monotonic() < deadline, demo.output
        time.sleep(0.5)
    lines = demo.output.splitlines()
    assert [line.strip() for line in lines if line.strip().startswith("skipped")] == [
        "skipped MariaDB primary + lagging replica: mariadbd not found on PATH "
        "(Debian: apt-get install mariadb-server)",
        f"skipped tansu broker + lagging consumer group: no tansu executable at "
        f"{tmp_path / 'no-tansu'}",
    ]
    metrics = _metrics(demo.record()["daemon"]["url"])
    assert 'auditor_source_up{source="airflow",type="airflow"} 1.0' in metrics
    assert 'auditor_source_up{source="estate",type="files"} 1.0' in metrics
    assert 'source="shop-db"' not in metrics and 'source="events"' not in metrics
    demo.process.send_signal(signal.SIGTERM)
    assert demo.wait(timeout=120) == 0, demo.output
    assert "SIGTERM: stopping everything the demo started" in demo.output
    _assert_nothing_left(demo)


@pytest.mark.slow
@pytest.mark.timeout(DEMO_TIMEOUT)
def test_on_a_terminal_it_runs_until_ctrl_c_and_then_stops_everything(
    tmp_path: Path, started: list[Demo]
) -> None:
    """With a terminal on stdin the demo keeps running after its summary; Ctrl-C (SIGINT to
    its whole process group, as a terminal sends it) stops everything it started, exit 0."""
    terminal, tty = pty.openpty()
    try:
        demo = Demo(tmp_path, "--skip", "airflow", "--interval", "3", stdin=tty)
        started.append(demo)
        deadline = time.monotonic() + DEMO_TIMEOUT
        while "running until Ctrl-C" not in demo.output:
            assert demo.process.poll() is None, demo.output
            assert time.monotonic() < deadline, demo.output
            time.sleep(0.5)
        assert demo.process.poll() is None  # not a bounded run
        daemon_url = demo.record()["daemon"]["url"]
        assert "auditor_source_up" in _metrics(daemon_url)
        os.killpg(demo.process.pid, signal.SIGINT)
        assert demo.wait(timeout=120) == 0, demo.output
    finally:
        os.close(terminal)
        os.close(tty)
    assert "SIGINT: stopping everything the demo started" in demo.output
    _assert_nothing_left(demo)
