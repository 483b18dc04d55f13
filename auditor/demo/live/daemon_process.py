"""`auditor run` as a child process of the demo, watched through its own HTTP endpoints."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests
from prometheus_client.parser import text_string_to_metric_families

from auditor.demo.live.processes import ServiceError, stop_group

READY_TIMEOUT_SECONDS = 300.0  # the first Airflow collection on a busy 2-core machine


class DaemonProcess:
    """The real daemon (`python -m auditor run --config FILE`) on 127.0.0.1:port."""

    def __init__(self, config: Path, port: int, log: Path) -> None:
        self.config, self.port, self.log = config, port, log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL of its HTTP server."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """Its process id (0 before start)."""
        return self.process.pid if self.process is not None else 0

    def start(self) -> DaemonProcess:
        """Launch it in its own process group (a terminal's Ctrl-C reaches the demo, which
        then stops it with SIGTERM, as Kubernetes would)."""
        argv = [sys.executable, "-m", "auditor", "run", "--config", str(self.config)]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed argv
                argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def alive(self) -> bool:
        """Whether the process still runs."""
        return self.process is not None and self.process.poll() is None

    def failure(self) -> str:
        """Why it is not running, with the tail of its log."""
        code = self.process.returncode if self.process is not None else None
        tail = self.log.read_text(errors="replace").strip().splitlines()[-5:]
        return f"auditor run exited with {code}: " + " | ".join(tail)

    def get(self, path: str) -> requests.Response:
        """GET one of its endpoints; ServiceError when it does not answer."""
        try:
            return requests.get(self.url + path, timeout=10)
        except requests.RequestException as exc:
            raise ServiceError(f"GET {self.url}{path}: {type(exc).__name__}") from None

    def wait_ready(self, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        """Until /readyz says every source finished its first cycle; ServiceError if it dies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise ServiceError(self.failure())
            with contextlib.suppress(ServiceError):  # not listening yet
                if self.get("/readyz").status_code == 200:
                    return
            time.sleep(0.25)
        raise ServiceError(f"auditor run not ready after {timeout:g} s; see {self.log}")

    def cycle_markers(self) -> dict[str, tuple[float, float]]:
        """Per source, (last success timestamp, errors so far): it changes once per cycle."""
        markers: dict[str, list[float]] = {}
        text = self.get("/metrics").text
        for family in text_string_to_metric_families(text):
            slot = {
                "auditor_source_last_success_timestamp_seconds": 0,
                "auditor_source_errors": 1,  # the parser strips _total
            }.get(family.name)
            if slot is None:
                continue
            for sample in family.samples:
                if sample.name.endswith("_created"):
                    continue
                markers.setdefault(sample.labels["source"], [0.0, 0.0])[slot] = sample.value
        return {source: (pair[0], pair[1]) for source, pair in markers.items()}

    def wait_cycles(self, sources: set[str], more: int, poll: float = 0.5) -> None:
        """Until each of `sources` has finished `more` further cycles; ServiceError if it dies."""
        seen = {source: 0 for source in sources}
        last = self.cycle_markers()
        while min(seen.values(), default=more) < more:
            time.sleep(poll)
            if not self.alive():
                raise ServiceError(self.failure())
            now = self.cycle_markers()
            for source in sources:
                if now.get(source) != last.get(source):
                    seen[source] += 1
            last = now

    def findings(self) -> list[dict[str, Any]]:
        """What it tracks now (GET /findings)."""
        response = self.get("/findings")
        if response.status_code != 200:
            raise ServiceError(f"GET /findings answered {response.status_code}")
        found: list[dict[str, Any]] = response.json()["findings"]
        return found

    def stop(self) -> None:
        """SIGTERM (graceful: running cycles finish), SIGKILL if it lingers."""
        if self.process is not None:
            stop_group(self.process, timeout=60)
