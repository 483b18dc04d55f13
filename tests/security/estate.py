"""One running estate for the secrets-hygiene suite — a MariaDB primary + replica, tansu,
Airflow 3, the GCP fakes, the kmock API server — with canary secrets planted in it, and
receivers that record what reaches Slack, Alertmanager and Google's token endpoint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from auditor.demo.live.airflow import (
    ADMIN_PASSWORD,
    Airflow,
    airflow_venv,
    dag_source,
    running_airflow,
)
from auditor.demo.live.kafka import TansuBroker
from auditor.demo.live.mariadb import (
    HEARTBEAT_SCHEMA,
    MONITOR_GRANTS,
    REPLICATION_PASSWORD,
    ReplicationPair,
    running_pair,
)
from auditor.demo.live.processes import free_port
from auditor.loaders.manifests import manifest_files
from auditor.loaders.yaml_lines import read_documents
from tests.fakes.gcp.seed import acme_org
from tests.fakes.gcp.server import FakeGcp, running_fakes
from tests.fakes.k8s.served import as_served
from tests.fakes.k8s.server import EmulatorServer
from tests.security.canaries import Canaries
from tests.security.credentials import service_account_key
from tests.security.recorder import Answer, Recorder, recording_server

REPO = Path(__file__).resolve().parents[2]
DEMO_MANIFESTS = REPO / "auditor" / "demo" / "estate" / "k8s"
CANARY_USER = "auditor_canary"
# Canaries given to sources and sinks that no service checks (wrong passwords, tokens, keys).
PLANTED = (
    "mysql-wrong", "kafka-sasl-password", "kafka-ssl-key-password", "airflow-wrong",
    "gke-wrong-token", "slack-webhook-token",
)  # fmt: skip
# Slack answers the first posts with a server error and a rate limit, so retries are logged.
SLACK_SCRIPT = (Answer(500, "internal_error"), Answer(429, "rate_limited", (("Retry-After", "1"),)))
OAUTH_REFUSAL = Answer(
    400, json.dumps({"error": "invalid_grant", "error_description": "Token has been revoked."})
)


@dataclass
class Estate:
    """The started services, the receivers and the planted secrets."""

    root: Path
    canaries: Canaries
    pair: ReplicationPair
    broker: TansuBroker
    airflow: Airflow
    gcp: FakeGcp
    k8s: EmulatorServer
    slack: Recorder
    alertmanager: Recorder
    oauth: Recorder
    closed_port: int

    def secret_file(self, name: str, value: str) -> dict[str, str]:
        """Write a secret file (mode 600) and return its `{file: PATH}` reference."""
        path = self.root / "secrets" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(value + "\n", encoding="utf-8")
        path.chmod(0o600)
        return {"file": str(path)}


def _canary_account(pair: ReplicationPair, password: str) -> None:
    """A monitoring account whose password is a canary (replicated to the replica)."""
    pair.primary.sql(
        f"CREATE USER '{CANARY_USER}'@'127.0.0.1' IDENTIFIED BY '{password}'",
        *(g.format(user=CANARY_USER, heartbeat_schema=HEARTBEAT_SCHEMA) for g in MONITOR_GRANTS),
    )
    pair.wait_caught_up()


def _password_hash(pair: ReplicationPair, password: str) -> str:
    """The server's stored hash of `password` (mysql_native_password): also never shown."""
    row = pair.primary.sql(f"SELECT PASSWORD('{password}') AS hash")[0]
    return str(row["hash"])


def _start_airflow(stack: ExitStack, root: Path) -> Airflow:
    dags = root / "dags"
    dags.mkdir()
    long_ago = datetime.now(UTC) - timedelta(days=30)
    (dags / "orders.py").write_text(dag_source("orders_hourly", "@hourly", long_ago))
    workdir = root / "airflow"
    workdir.mkdir()
    return stack.enter_context(running_airflow(airflow_venv(), workdir, dags))


@contextmanager
def running_estate(root: Path) -> Iterator[Estate]:
    """Start everything on 127.0.0.1; stop it all when the block ends."""
    canaries = Canaries()
    with ExitStack() as stack:
        # Airflow takes longest: it starts on its own thread (and stack) meanwhile.
        airflow_stack = stack.enter_context(ExitStack())
        pool = ThreadPoolExecutor(max_workers=1)
        airflow = pool.submit(_start_airflow, airflow_stack, root)
        try:
            pair = stack.enter_context(running_pair(root / "mariadb"))
            broker = TansuBroker(root / "tansu.log").start()
            stack.callback(broker.stop)
            broker.create_topics({"orders": 1})
            broker.produce("orders", 3)
            broker.commit("orders-loader", {("orders", 0): 1})
            gcp = stack.enter_context(running_fakes(acme_org(datetime.now(UTC))))
            k8s = stack.enter_context(EmulatorServer())
            k8s.emulator.put_all([as_served(o) for o in _manifests()])
        finally:
            pool.shutdown(wait=True)  # Airflow started or failed before anything unwinds
        estate = Estate(
            root=root,
            canaries=canaries,
            pair=pair,
            broker=broker,
            airflow=airflow.result(),
            gcp=gcp,
            k8s=k8s,
            slack=stack.enter_context(recording_server()),
            alertmanager=stack.enter_context(recording_server()),
            oauth=stack.enter_context(recording_server(OAUTH_REFUSAL)),
            closed_port=free_port(),
        )
        _canary_account(pair, canaries.plant("mysql-password"))
        canaries.plant(
            "mysql-password-hash", _password_hash(pair, canaries.secrets["mysql-password"])
        )
        canaries.plant("mysql-replication-password", REPLICATION_PASSWORD)
        canaries.plant("airflow-password", ADMIN_PASSWORD)
        k8s.emulator.token = canaries.plant("gke-token")
        for name in PLANTED:
            canaries.plant(name)
        adc_file(estate)
        yield estate


def _manifests() -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for path in manifest_files([DEMO_MANIFESTS]):
        for document in read_documents(path.read_text(encoding="utf-8"), str(path)):
            if isinstance(document.value, dict):
                objects.append(document.value)
    return objects


def adc_file(estate: Estate) -> Path:
    """Application Default Credentials whose token endpoint — the oauth recorder — refuses
    the grant, as Google does for a revoked key."""
    return service_account_key(
        estate.root / "secrets" / "adc.json", f"{estate.oauth.base_url}/token", estate.canaries
    )
