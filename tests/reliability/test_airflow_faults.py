"""The Airflow source — a real Airflow 3 API server and the GCS emulator holding the
environment's DAG bucket, each behind a fault proxy — through every fault of the matrix.

An Airflow fault takes the source down; a GCS fault leaves Airflow readable, so the source is
partial: the DAG-file findings (which need the bucket) must be kept, not resolved."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from auditor.demo.live.airflow import ADMIN_PASSWORD, dag_source, running_airflow, wait_for
from tests.integration.airflow.services import airflow_venv, running_gcs_emulator
from tests.reliability.conftest import Observation
from tests.reliability.harness import DaemonUnderTest, daemon_under_test
from tests.reliability.matrix import live_cells
from tests.reliability.proxy import TOO_MANY_REQUESTS, FaultProxy
from tests.reliability.source_case import SourceFault, run_source_cell
from tests.unit.exporters.webhook_receiver import Receiver

SOURCE = "composer-prod"
BUCKET = "europe-west1-composer-prod-bucket"
DAGS = ("stale_hourly", "fresh_hourly")


@dataclass
class Rig:
    """Airflow and the bucket, a proxy in front of each, and the Git DAG folder."""

    api: FaultProxy
    gcs: FaultProxy
    git: Path
    password_file: Path

    def source(self) -> dict[str, Any]:
        """The daemon's `type: airflow` source with DAG delivery, through the proxies."""
        return {
            "name": SOURCE,
            "type": "airflow",
            "url": f"http://{self.api.address}",
            "platform": "airflow",
            "auth": {
                "type": "jwt",
                "username": "admin",
                "password": {"file": str(self.password_file)},
            },
            "request_timeout_seconds": 2,
            "timeout_seconds": 8,
            "delivery": {
                "git_dags_folder": str(self.git),
                "bucket_prefix": f"gs://{BUCKET}/dags",
                "project": "test-project",
            },
        }

    def faults(self) -> dict[str, SourceFault]:
        """Each matrix fault, for the component named by the cell."""

        def mend() -> None:
            self.api.set("pass")
            self.gcs.set("pass")

        def on(proxy: FaultProxy, mode: str, **how: Any) -> Any:
            return lambda: proxy.set(mode, **how)

        down = ("unreachable",)
        api, gcs = self.api, self.gcs
        return {
            "airflow/down_at_start": SourceFault(on(api, "refuse"), mend, down),
            "airflow/dies_mid_collection": SourceFault(
                on(api, "die_after", limit=1500), mend, (*down, "protocol"), partial=None
            ),
            "airflow/slow": SourceFault(on(api, "delay", seconds=3), mend, ("timeout", *down)),
            "airflow/rate_limited": SourceFault(
                on(api, "answer", payload=TOO_MANY_REQUESTS), mend, (*down, "protocol")
            ),
            "airflow/malformed": SourceFault(on(api, "garbage"), mend, ("protocol", *down)),
            "airflow/recovers": SourceFault(on(api, "refuse"), mend, down, cycles=3),
            "gcs/down_at_start": SourceFault(on(gcs, "refuse"), mend, partial=True),
            "gcs/dies_mid_collection": SourceFault(
                on(gcs, "die_after", limit=300), mend, partial=True
            ),
            "gcs/slow": SourceFault(on(gcs, "delay", seconds=3), mend, partial=True),
            "gcs/rate_limited": SourceFault(
                on(gcs, "answer", payload=TOO_MANY_REQUESTS), mend, partial=True
            ),
            "gcs/malformed": SourceFault(on(gcs, "garbage"), mend, partial=True),
            "gcs/recovers": SourceFault(on(gcs, "refuse"), mend, partial=True, cycles=3),
        }


def _fill(git: Path, airflow_dags: Path) -> None:
    """Git has both DAGs and a new one CI never uploaded; the bucket has the two and an orphan;
    Airflow's folder is synced from the bucket."""
    long_ago = datetime.now(UTC) - timedelta(days=30)
    files = {f"{dag}.py": dag_source(dag, "@hourly", long_ago) for dag in DAGS}
    (git / "new_dag.py").write_text(dag_source("new_dag", "@daily", long_ago))
    bucket = storage.Client(
        project="test-project", credentials=AnonymousCredentials()
    ).create_bucket(BUCKET)
    files["orphan.py"] = dag_source("orphan_dag", "@daily", long_ago)
    for name, text in files.items():
        if name != "orphan.py":
            (git / name).write_text(text)
        bucket.blob(f"dags/{name}").upload_from_string(text)
        (airflow_dags / name).write_text(text)


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    """Airflow 3 with a DAG two days stale, its bucket in the emulator, both behind proxies;
    STORAGE_EMULATOR_HOST points the storage client at the bucket's proxy."""
    work = tmp_path_factory.mktemp("airflow")
    git, airflow_dags = work / "git", work / "airflow-dags"
    git.mkdir()
    airflow_dags.mkdir()
    password = work / "airflow-password"
    password.write_text(ADMIN_PASSWORD)
    password.chmod(0o600)
    previous = os.environ.get("STORAGE_EMULATOR_HOST")
    with running_gcs_emulator(work) as emulator:
        address = urlsplit(emulator)
        gcs = FaultProxy(address.hostname or "", address.port or 0).start()
        os.environ["STORAGE_EMULATOR_HOST"] = f"http://{gcs.address}"
        try:
            _fill(git, airflow_dags)
            with running_airflow(airflow_venv(), work, airflow_dags) as airflow:
                wait_for(lambda: airflow.dag_ids() >= set(DAGS), "DAGs parsed", 240)
                hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
                for dag in DAGS:
                    airflow.api("PATCH", f"/dags/{dag}", json={"is_paused": False})
                stale = hour - timedelta(days=2)
                airflow.record_run(DAGS[0], "ok", stale, "success", stale - timedelta(hours=1))
                airflow.record_run(DAGS[1], "ok", hour, "success", hour - timedelta(hours=1))
                api = urlsplit(airflow.url)
                proxy = FaultProxy(api.hostname or "", api.port or 0).start()
                try:
                    yield Rig(proxy, gcs, git, password)
                finally:
                    proxy.stop()
        finally:
            gcs.stop()
            if previous is None:
                os.environ.pop("STORAGE_EMULATOR_HOST", None)
            else:
                os.environ["STORAGE_EMULATOR_HOST"] = previous


@pytest.fixture(scope="module")
def daemon(
    rig: Rig, receiver: Receiver, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DaemonUnderTest]:
    """The module's daemon, through every fault in turn."""
    with daemon_under_test(
        tmp_path_factory.mktemp("airflow-daemon"), [rig.source()], receiver
    ) as d:
        yield d


@pytest.mark.parametrize("cell", [f"{c}/{f}" for c in ("airflow", "gcs") for f in live_cells(c)])
def test_airflow_fault(
    cell: str,
    rig: Rig,
    receiver: Receiver,
    daemon: DaemonUnderTest,
    observe: Observation,
    tmp_path: Path,
) -> None:
    """The daemon stays up, says what failed and why, keeps the environment's findings open and
    unresolved, and announces the outage and the recovery once each."""

    def start(root: Path) -> AbstractContextManager[DaemonUnderTest]:
        return daemon_under_test(root, [rig.source()], receiver)

    faults = {
        key.split("/")[1]: fault
        for key, fault in rig.faults().items()
        if key.startswith(cell.split("/")[0] + "/")
    }
    observe(run_source_cell(cell.split("/")[1], faults, daemon, start, tmp_path, receiver, SOURCE))
