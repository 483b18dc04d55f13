"""A real Airflow 3 for the demo and tests: API server + DAG processor in their own venv
(SQLite), on a 127.0.0.1 free port, stopped by process group.

Airflow's pins would fight the project's, so it lives in its own venv, built once with pip
(~30 s with a warm cache, minutes on a fresh machine) at .venv-airflow/ in a checkout (the path
the tests use, so CI builds it once), else ~/.cache/auditor/venv-airflow; $AIRFLOW_VENV
overrides both.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from auditor.demo.live.processes import ServiceError, free_port, stop_group

AIRFLOW_VERSION = "3.3.2"
ADMIN_PASSWORD = "s3cret-Airflow-pw"  # noqa: S105 - a throwaway local instance's
VENV_ENV = "AIRFLOW_VENV"
_CHECKOUT = Path(__file__).resolve().parents[3]

_DAG = """from datetime import datetime, timezone

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

with DAG(
    {dag_id!r},
    schedule={schedule!r},
    start_date=datetime.fromisoformat({start!r}),
    catchup={catchup},
    tags={tags!r},
    default_args={{"owner": {owner!r}}},
):
    EmptyOperator(task_id="load")
"""


def dag_source(dag_id: str, schedule: str | None, start: datetime, *, catchup: bool = False,
               tags: tuple[str, ...] = (), owner: str = "data-eng") -> str:  # fmt: skip
    """A one-task DAG file."""
    return _DAG.format(dag_id=dag_id, schedule=schedule, start=start.isoformat(),
                       catchup=catchup, tags=list(tags), owner=owner)  # fmt: skip


def default_venv_path() -> Path:
    """$AIRFLOW_VENV, else .venv-airflow/ of this checkout, else ~/.cache/auditor/venv-airflow."""
    override = os.environ.get(VENV_ENV)
    if override:
        return Path(override)
    if (_CHECKOUT / "pyproject.toml").is_file():
        return _CHECKOUT / ".venv-airflow"
    return Path.home() / ".cache" / "auditor" / "venv-airflow"


def venv_ready(venv: Path) -> bool:
    """Whether `venv` imports the pinned Airflow."""
    python = venv / "bin" / "python"
    check = f"import airflow, sys; sys.exit(airflow.__version__ != {AIRFLOW_VERSION!r})"
    if not python.exists():
        return False
    probe = subprocess.run([str(python), "-c", check], capture_output=True, check=False)  # noqa: S603 - fixed argv, no shell
    return probe.returncode == 0


def airflow_venv(venv: Path | None = None, announce: Callable[[str], None] | None = None) -> Path:
    """The Airflow venv, built (pip install) unless it already imports the pinned version.

    `announce` hears one line before a build starts. ServiceError when pip fails (no network,
    say), naming its log.
    """
    venv = venv or default_venv_path()
    if venv_ready(venv):
        return venv
    if announce is not None:
        announce(
            f"building the Airflow {AIRFLOW_VERSION} venv at {venv} with pip "
            "(once; minutes on a fresh machine)"
        )
    created = [sys.executable, "-m", "venv", "--clear", str(venv)]
    log = venv / "pip-install.log"
    try:
        subprocess.run(created, check=True, capture_output=True)  # noqa: S603 - fixed argv
        with log.open("w") as out:
            done = subprocess.run(  # noqa: S603 - fixed argv, no shell
                [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                 "--retries", "2", "--timeout", "20", f"apache-airflow=={AIRFLOW_VERSION}"],
                stdout=out, stderr=subprocess.STDOUT, check=False, timeout=900,
            )  # fmt: skip
    except subprocess.CalledProcessError as exc:
        said = (exc.stderr or b"").decode(errors="replace").strip().splitlines()[-1:]
        raise ServiceError(f"python -m venv {venv} failed: {' '.join(said)}") from None
    except subprocess.TimeoutExpired:
        raise ServiceError(f"pip install took over 15 min; see {log}") from None
    if done.returncode != 0:
        raise ServiceError(f"pip install apache-airflow=={AIRFLOW_VERSION} failed; see {log}")
    return venv


def wait_for(check: Callable[[], Any], what: str, timeout: float = 120.0) -> Any:
    """Poll `check` until it returns something truthy; TimeoutError naming `what` at `timeout`."""
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


@dataclass
class Airflow:
    """A running Airflow 3: its URL, DAG folder and a logged-in admin session."""

    url: str
    home: Path
    dags_folder: Path
    session: requests.Session
    pids: tuple[int, ...] = ()  # each leads its own process group

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call /api/v2 as admin; raises on an error status."""
        response = self.session.request(method, f"{self.url}/api/v2{path}", timeout=30, **kwargs)
        response.raise_for_status()
        return response.json()

    def dag_ids(self) -> set[str]:
        """The DAGs the DAG processor has parsed so far."""
        return {d["dag_id"] for d in self.api("GET", "/dags?limit=100")["dags"]}

    def record_run(self, dag_id: str, run_id: str, end: datetime, state: str,
                   start: datetime | None = None) -> None:  # fmt: skip
        """A run for the interval [start, end], due at `end`, set to `state` (no scheduler
        needed: the API takes past dates and success/failed)."""
        body: dict[str, Any] = {"dag_run_id": run_id, "logical_date": (start or end).isoformat(),
                                "run_after": end.isoformat()}  # fmt: skip
        if start is not None:
            body |= {"data_interval_start": start.isoformat(), "data_interval_end": end.isoformat()}
        self.api("POST", f"/dags/{dag_id}/dagRuns", json=body)
        self.api("PATCH", f"/dags/{dag_id}/dagRuns/{run_id}", json={"state": state})


def _login(url: str) -> requests.Session:
    response = requests.post(
        f"{url}/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD}, timeout=10
    )
    response.raise_for_status()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return session


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
    with (workdir / "migrate.log").open("w") as migrate_log:
        migrated = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [airflow, "db", "migrate"], env=env, cwd=workdir, check=False,
            stdout=migrate_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    if migrated.returncode != 0:
        raise ServiceError(f"airflow db migrate failed; see {workdir / 'migrate.log'}")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for name, args in (
            ("api-server", ["api-server", "-H", "127.0.0.1", "-p", str(port), "-w", "1"]),
            ("dag-processor", ["dag-processor"]),
        ):
            with (workdir / f"{name}.log").open("w") as log:
                # Its own process group (id = the PID we started): the api-server's uvicorn
                # worker goes with it, and a terminal's Ctrl-C reaches us, not it.
                processes.append(
                    subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                        [airflow, *args],
                        env=env,
                        cwd=workdir,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: requests.get(f"{url}/api/v2/monitor/health", timeout=2).ok, "API server")
        yield Airflow(url=url, home=home, dags_folder=dags_folder, session=_login(url),
                      pids=tuple(p.pid for p in processes))  # fmt: skip
    finally:
        for process in reversed(processes):
            stop_group(process)
