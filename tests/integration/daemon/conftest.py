"""A real Alertmanager (Debian `prometheus-alertmanager`) on a free 127.0.0.1 port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def alertmanager(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a running Alertmanager; stopped by PID at teardown."""
    if ALERTMANAGER is None:
        pytest.fail(
            "prometheus-alertmanager is not installed (Debian package prometheus-alertmanager)"
        )
    root: Path = tmp_path_factory.mktemp("alertmanager")
    config = root / "alertmanager.yml"
    config.write_text(
        "route: {receiver: blackhole, group_wait: 1h}\nreceivers: [{name: blackhole}]\n",
        encoding="utf-8",
    )
    port = _free_port()
    log = (root / "alertmanager.log").open("wb")
    process = subprocess.Popen(
        [
            ALERTMANAGER,
            f"--config.file={config}",
            f"--storage.path={root / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                if requests.get(url + "/-/ready", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert process.poll() is None, (root / "alertmanager.log").read_text()
            assert time.monotonic() < deadline, "alertmanager did not become ready"
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
