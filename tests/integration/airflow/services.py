"""Real services for the Airflow tests: an Airflow 3 API server + DAG processor (own venv,
SQLite) and the GCS emulator. Started on 127.0.0.1 free ports, stopped by PID."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[3]
AIRFLOW_VENV = REPO / ".venv-airflow"
AIRFLOW_VERSION = "3.3.2"
ADMIN_PASSWORD = "s3cret-Airflow-pw"  # a throwaway test instance's


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], Any], what: str, timeout: float = 120.0) -> Any:
    """Poll `check` until it returns something truthy; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except (requests.RequestException, OSError):
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {timeout:g} s")
        time.sleep(0.25)


def airflow_venv() -> Path:
    """The Airflow venv at the repo's .venv-airflow/, built once (pip install ~30 s) and reused
    while it imports the pinned version."""
    python = AIRFLOW_VENV / "bin" / "python"
    check = f"import airflow, sys; sys.exit(airflow.__version__ != {AIRFLOW_VERSION!r})"
    probe = [str(python), "-c", check]
    if python.exists() and subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return AIRFLOW_VENV
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(AIRFLOW_VENV)], check=True)
    log = AIRFLOW_VENV / "pip-install.log"
    with log.open("w") as out:
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", f"apache-airflow=={AIRFLOW_VERSION}"],
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=900,
        )
    return AIRFLOW_VENV


@dataclass
class Airflow:
    """A running Airflow 3: its URL, DAG folder and a logged-in admin session."""

    url: str
    home: Path
    dags_folder: Path
    session: requests.Session

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call /api/v2 as admin; raises on an error status."""
        response = self.session.request(method, f"{self.url}/api/v2{path}", timeout=30, **kwargs)
        response.raise_for_status()
        return response.json()


def _login(url: str) -> requests.Session:
    response = requests.post(
        f"{url}/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD}, timeout=10
    )
    response.raise_for_status()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return session


def _stop(process: subprocess.Popen[bytes]) -> None:
    # Each service runs in its own process group (its id is the PID we started), so the
    # api-server's uvicorn worker goes with it.
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextmanager
def running_airflow(venv: Path, workdir: Path, dags_folder: Path) -> Iterator[Airflow]:
    """`airflow db migrate`, then the API server and the DAG processor, until the block ends."""
    home = workdir / "airflow-home"
    home.mkdir()
    passwords = workdir / "passwords.json"
    passwords.write_text(json.dumps({"admin": ADMIN_PASSWORD}))
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")},
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__API_AUTH__JWT_SECRET": "test-jwt-secret-0123456789abcdef",
        "AIRFLOW__API__SECRET_KEY": "test-secret-key-0123456789",
        "AIRFLOW__CORE__PARALLELISM": "2",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
    }
    airflow = str(venv / "bin" / "airflow")
    subprocess.run([airflow, "db", "migrate"], env=env, cwd=workdir, check=True,
                   stdout=(workdir / "migrate.log").open("w"), stderr=subprocess.STDOUT)  # fmt: skip
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for name, args in (
            ("api-server", ["api-server", "-H", "127.0.0.1", "-p", str(port), "-w", "1"]),
            ("dag-processor", ["dag-processor"]),
        ):
            processes.append(
                subprocess.Popen(
                    [airflow, *args],
                    env=env,
                    cwd=workdir,
                    stdout=(workdir / f"{name}.log").open("w"),
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: requests.get(f"{url}/api/v2/monitor/health", timeout=2).ok, "API server")
        yield Airflow(url=url, home=home, dags_folder=dags_folder, session=_login(url))
    finally:
        for process in reversed(processes):
            _stop(process)


@contextmanager
def running_gcs_emulator(workdir: Path) -> Iterator[str]:
    """`gcp-storage-emulator` in memory; yields its host:port for STORAGE_EMULATOR_HOST."""
    port = free_port()
    binary = Path(sys.executable).parent / "gcp-storage-emulator"
    process = subprocess.Popen(
        [str(binary), "start", "--host", "127.0.0.1", "--port", str(port), "--in-memory"],
        stdout=(workdir / "gcs-emulator.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        host = f"http://127.0.0.1:{port}"
        wait_for(lambda: requests.get(f"{host}/storage/v1/b", timeout=2).status_code < 500,
                 "GCS emulator", timeout=30)  # fmt: skip
        yield host
    finally:
        _stop(process)
