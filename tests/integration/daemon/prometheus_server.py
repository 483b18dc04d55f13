"""A real Prometheus (Debian `prometheus`) on a free 127.0.0.1 port, and the test copy of the
alert rules it loads."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.integration.mysql.mariadb import free_port

PROMETHEUS = shutil.which("prometheus")
RULES = Path(__file__).resolve().parents[3] / "deploy" / "prometheus" / "auditor-alerts.yaml"


def rules_with_short_for(destination: Path, duration: str = "1s") -> Path:
    """deploy/prometheus/auditor-alerts.yaml with every `for:` set to `duration`.

    The shipped durations (2 to 30 minutes) are right for production; the test keeps the
    expressions, labels and annotations exactly and only shortens how long they must hold.
    """
    text = RULES.read_text(encoding="utf-8")
    shortened, count = re.subn(r"(?m)^(\s+for:) \S+$", rf"\1 {duration}", text)
    assert count, "the alert rules have no `for:` to shorten"
    destination.write_text(shortened, encoding="utf-8")
    return destination


@contextmanager
def running_prometheus(
    root: Path,
    *,
    targets: list[str],
    rules: Path | None = None,
    alertmanager: str | None = None,
) -> Iterator[str]:
    """Prometheus scraping `targets` (job `auditor`) every second, evaluating `rules` every
    second and sending alerts to `alertmanager` when given; its base URL once ready. Stopped by
    PID on exit."""
    if PROMETHEUS is None:
        raise AssertionError("prometheus is not installed (Debian package prometheus)")
    lines = ["global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}"]
    if rules is not None:
        lines.append(f"rule_files: [{rules}]")
    if alertmanager is not None:
        am_host = alertmanager.removeprefix("http://")
        lines.append(
            f"alerting: {{alertmanagers: [{{static_configs: [{{targets: ['{am_host}']}}]}}]}}"
        )
    lines += [
        "scrape_configs:",
        f"  - {{job_name: auditor, static_configs: [{{targets: {targets!r}}}]}}",
    ]
    config = root / "prometheus.yml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    port = free_port()
    log_path = root / "prometheus.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                PROMETHEUS,
                f"--config.file={config}",
                f"--storage.tsdb.path={root / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(url + "/-/ready", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert process.poll() is None, log_path.read_text(errors="replace")
            assert time.monotonic() < deadline, "prometheus did not become ready"
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
