"""Real services for the Airflow tests: an Airflow 3 API server + DAG processor (the starter
lives in auditor.demo.live.airflow, shared with the live demo) and the GCS emulator. Started on
127.0.0.1 free ports, stopped by PID."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from auditor.demo.live.airflow import (
    ADMIN_PASSWORD,
    AIRFLOW_VERSION,
    Airflow,
    airflow_venv,
    running_airflow,
    wait_for,
)
from auditor.demo.live.processes import free_port, stop_group

REPO = Path(__file__).resolve().parents[3]
AIRFLOW_VENV = REPO / ".venv-airflow"

__all__ = [
    "ADMIN_PASSWORD",
    "AIRFLOW_VENV",
    "AIRFLOW_VERSION",
    "REPO",
    "Airflow",
    "airflow_venv",
    "free_port",
    "running_airflow",
    "running_gcs_emulator",
    "wait_for",
]


@contextmanager
def running_gcs_emulator(workdir: Path) -> Iterator[str]:
    """`gcp-storage-emulator` in memory; yields its host:port for STORAGE_EMULATOR_HOST."""
    port = free_port()
    binary = Path(sys.executable).parent / "gcp-storage-emulator"
    with (workdir / "gcs-emulator.log").open("w") as log:
        process = subprocess.Popen(
            [str(binary), "start", "--host", "127.0.0.1", "--port", str(port), "--in-memory"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        host = f"http://127.0.0.1:{port}"
        wait_for(lambda: requests.get(f"{host}/storage/v1/b", timeout=2).status_code < 500,
                 "GCS emulator", timeout=30)  # fmt: skip
        yield host
    finally:
        stop_group(process)
