"""One running estate for the secrets-hygiene suite, and the auditor.yaml that reads it with
planted canary secrets: every source type on its success path, with wrong credentials, and
against a closed port; Slack and Alertmanager receivers that record what reaches them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

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
from tests.fakes.gcp.seed import acme_org
from tests.fakes.gcp.server import FakeGcp, running_fakes
from tests.fakes.k8s.served import as_served
from tests.fakes.k8s.server import GKE_CONTEXT, EmulatorServer
from tests.security.canaries import Canaries
from tests.security.recorder import Answer, Recorder, recording_server

REPO = Path(__file__).resolve().parents[2]
DEMO_MANIFESTS = REPO / "auditor" / "demo" / "estate" / "k8s"
CANARY_USER = "auditor_canary"
# Sources whose canaries open a session, and those refused or unreachable.
SUCCESS = ("mysql-ok", "kafka-ok", "airflow-ok", "gke-ok", "gcp-ok")
FAILURE = (
    "mysql-wrong-password", "mysql-unreachable", "kafka-sasl-refused", "kafka-ssl-key-refused",
    "kafka-unreachable", "airflow-wrong-password", "airflow-basic-refused", "airflow-unreachable",
    "composer-adc-refused", "gke-wrong-token", "gke-unreachable", "gcp-adc-refused",
)  # fmt: skip
# Deadlines are generous: six auditor processes collect at once on a small shared machine.
# Canaries given to sources and sinks that no service checks (wrong passwords, tokens, keys).
PLANTED = (
    "mysql-wrong", "kafka-sasl-password", "kafka-ssl-key-password", "airflow-wrong",
    "gke-wrong-token", "slack-webhook-token",
)  # fmt: skip
GCP_ORG = "123456789012"
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


def _encrypted_client_key(root: Path, password: str) -> tuple[Path, Path]:
    """A client certificate and its key, encrypted with `password` (not the configured one)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "auditor")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = root / "client.pem", root / "client.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(password.encode()),
        )
    )
    return cert_path, key_path


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
        pair = stack.enter_context(running_pair(root / "mariadb"))
        broker = TansuBroker(root / "tansu.log").start()
        stack.callback(broker.stop)
        broker.create_topics({"orders": 1})
        broker.produce("orders", 3)
        broker.commit("orders-loader", {("orders", 0): 1})
        gcp = stack.enter_context(running_fakes(acme_org(datetime.now(UTC))))
        k8s = stack.enter_context(EmulatorServer())
        k8s.emulator.put_all([as_served(o) for o in _manifests()])
        estate = Estate(
            root=root,
            canaries=canaries,
            pair=pair,
            broker=broker,
            airflow=_start_airflow(stack, root),
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
    from auditor.loaders.manifests import manifest_files
    from auditor.loaders.yaml_lines import read_documents

    objects: list[dict[str, Any]] = []
    for path in manifest_files([DEMO_MANIFESTS]):
        for document in read_documents(path.read_text(encoding="utf-8"), str(path)):
            if isinstance(document.value, dict):
                objects.append(document.value)
    return objects


def _kubeconfig(estate: Estate, name: str, server: str, user: dict[str, Any]) -> str:
    """A kubeconfig file (itself a secret: mode 600) whose user is `user`."""
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": GKE_CONTEXT, "cluster": {"server": server}}],
        "users": [{"name": GKE_CONTEXT, "user": user}],
        "contexts": [{"name": GKE_CONTEXT, "context": {"cluster": GKE_CONTEXT, "user": GKE_CONTEXT}}],
        "current-context": GKE_CONTEXT,
    }  # fmt: skip
    path = estate.root / "secrets" / f"{name}.kubeconfig"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    path.chmod(0o600)
    return str(path)


def adc_file(estate: Estate) -> Path:
    """A service-account key file for Application Default Credentials (an operator's fallback
    where Workload Identity is missing) whose token endpoint — the oauth recorder — refuses
    the grant. Its key id and a line of its private key are canaries."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    estate.canaries.plant("gcp-private-key-line", pem.splitlines()[5])
    document = {
        "type": "service_account",
        "project_id": "acme-data-prod",
        "private_key_id": estate.canaries.plant("gcp-private-key-id"),
        "private_key": pem,
        "client_email": "auditor@acme-data-prod.iam.gserviceaccount.com",
        "client_id": "109876543210987654321",
        "token_uri": f"{estate.oauth.base_url}/token",
    }
    path = estate.root / "secrets" / "adc.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")
    path.chmod(0o600)
    return path


def _mysql(estate: Estate) -> list[dict[str, Any]]:
    c, pair = estate.canaries, estate.pair
    good = estate.secret_file("mysql-password", c.secrets["mysql-password"])
    wrong = estate.secret_file("mysql-wrong", c.secrets["mysql-wrong"])
    quick = {"connect_timeout_seconds": 10, "read_timeout_seconds": 30}

    def instance(name: str, port: int, password: dict[str, str], **extra: Any) -> dict[str, Any]:
        return {"name": name, "host": "127.0.0.1", "port": port, "user": CANARY_USER,
                "password": password, **quick, **extra}  # fmt: skip

    return [
        {"name": "mysql-ok", "type": "mysql", "instances": [
            instance("primary", pair.primary.port, good),
            instance("replica", pair.replica.port, good, role="replica")]},
        {"name": "mysql-wrong-password", "type": "mysql",
         "instances": [instance("primary", pair.primary.port, wrong)]},
        {"name": "mysql-unreachable", "type": "mysql",
         "instances": [instance("primary", estate.closed_port, good)]},
    ]  # fmt: skip


def _kafka(estate: Estate) -> list[dict[str, Any]]:
    c = estate.canaries
    sasl = {"mechanism": "PLAIN", "username": "auditor",
            "password": estate.secret_file("kafka-sasl", c.secrets["kafka-sasl-password"])}  # fmt: skip
    cert, key = _encrypted_client_key(estate.root, "the-key-is-locked-with-another")
    patient = {"timeout_seconds": 60, "request_timeout_seconds": 10}
    quick = {"timeout_seconds": 15, "request_timeout_seconds": 3}  # refusals are fast
    return [
        {"name": "kafka-ok", "type": "kafka", "bootstrap_servers": [estate.broker.bootstrap],
         **patient},
        {"name": "kafka-sasl-refused", "type": "kafka",
         "bootstrap_servers": [estate.broker.bootstrap], "security_protocol": "SASL_PLAINTEXT",
         "sasl": sasl, **quick},
        {"name": "kafka-ssl-key-refused", "type": "kafka",
         "bootstrap_servers": [estate.broker.bootstrap], "security_protocol": "SASL_SSL",
         "sasl": sasl, "ssl": {"certificate_location": str(cert), "key_location": str(key),
                               "key_password": {"env": "CANARY_KAFKA_KEY_PASSWORD"}},
         **quick},
        {"name": "kafka-unreachable", "type": "kafka",
         "bootstrap_servers": [f"127.0.0.1:{estate.closed_port}"],
         "security_protocol": "SASL_PLAINTEXT", "sasl": sasl, **quick},
    ]  # fmt: skip


def _airflow(estate: Estate) -> list[dict[str, Any]]:
    c, url = estate.canaries, estate.airflow.url
    good = estate.secret_file("airflow-password", c.secrets["airflow-password"])
    wrong = {"env": "CANARY_AIRFLOW_WRONG"}

    def source(name: str, at: str, auth: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, "type": "airflow", "url": at, "platform": "airflow", "auth": auth,
                "request_timeout_seconds": 30, "timeout_seconds": 120}  # fmt: skip

    closed = f"http://127.0.0.1:{estate.closed_port}"
    return [
        source("airflow-ok", url, {"type": "jwt", "username": "admin", "password": good}),
        source("airflow-wrong-password", url,
               {"type": "jwt", "username": "admin", "password": wrong}),
        source("airflow-basic-refused", url,
               {"type": "basic", "username": "admin", "password": wrong}),
        source("airflow-unreachable", closed,
               {"type": "jwt", "username": "admin", "password": good}),
        # Composer: a Google access token from ADC whose refresh is refused.
        {**source("composer-adc-refused", url, {"type": "google"}), "platform": "composer"},
    ]  # fmt: skip


def _gke(estate: Estate) -> list[dict[str, Any]]:
    c = estate.canaries
    token_file = estate.root / "secrets" / "gke-token"
    token_file.parent.mkdir(exist_ok=True)
    token_file.write_text(c.secrets["gke-token"], encoding="utf-8")
    wrong = c.secrets["gke-wrong-token"]
    closed = f"http://127.0.0.1:{estate.closed_port}"

    def source(name: str, kubeconfig: str) -> dict[str, Any]:
        return {"name": name, "type": "gke", "kubeconfig": kubeconfig, "cluster": name,
                "timeout_seconds": 120, "request_timeout_seconds": 30,
                "max_attempts": 2}  # fmt: skip

    return [
        source("gke-ok", _kubeconfig(estate, "ok", estate.k8s.url, {"tokenFile": str(token_file)})),
        source("gke-wrong-token", _kubeconfig(estate, "wrong", estate.k8s.url, {"token": wrong})),
        source("gke-unreachable", _kubeconfig(estate, "gone", closed, {"tokenFile": str(token_file)})),
    ]  # fmt: skip


def _gcp(estate: Estate) -> list[dict[str, Any]]:
    quick = {"call_timeout_seconds": 10, "timeout_seconds": 120,
             "retry": {"attempts": 2, "initial_backoff_seconds": 0.01, "max_backoff_seconds": 0.05}}  # fmt: skip
    return [
        estate.gcp.source("gcp-ok", organization=GCP_ORG, **quick),
        # ADC (GOOGLE_APPLICATION_CREDENTIALS): the refresh is refused before any API call.
        {"name": "gcp-adc-refused", "type": "gcp", "projects": ["acme-data-prod"], **quick},
    ]


def environment(estate: Estate) -> dict[str, str]:
    """Secrets given through the environment, and ADC pointing at the canary file."""
    c = estate.canaries
    return {
        "CANARY_KAFKA_KEY_PASSWORD": c.secrets["kafka-ssl-key-password"],
        "CANARY_AIRFLOW_WRONG": c.secrets["airflow-wrong"],
        "GOOGLE_APPLICATION_CREDENTIALS": str(estate.root / "secrets" / "adc.json"),
        "GOOGLE_CLOUD_PROJECT": "acme-data-prod",
    }


def sources(estate: Estate) -> list[dict[str, Any]]:
    """Every source of the estate's auditor.yaml, as config entries."""
    return _mysql(estate) + _kafka(estate) + _airflow(estate) + _gke(estate) + _gcp(estate)


def config(
    estate: Estate, name: str, *, port: int = 0, hash_principals: bool = True,
    alertmanager: str | None = None, only: tuple[str, ...] = (),
) -> Path:  # fmt: skip
    """auditor.yaml over every source, with Slack, Alertmanager and a state store of its own."""
    c = estate.canaries
    webhook = c.secrets["slack-webhook-token"]
    slack_url = f"{estate.slack.base_url}/services/T0CANARY/B0CANARY/{webhook}"
    entries = [s for s in sources(estate) if not only or s["name"] in only]
    document = {
        "rules": {"bundled": True},
        "state": {"path": str(estate.root / name / "state.db")},
        "daemon": {
            "port": port,
            "jitter_seconds": 0,
            "hash_principals": hash_principals,
            "finding_info_limit": 10000,
            "notifications": {
                "slack": {"webhook_url": estate.secret_file("slack-webhook", slack_url),
                          "min_severity": "info", "timeout_seconds": 5},
                "alertmanager": {"url": alertmanager or estate.alertmanager.base_url,
                                 "timeout_seconds": 5},
            },
        },
        "sources": [{**s, "interval_seconds": 3600} for s in entries],
    }  # fmt: skip
    path = estate.root / name / "auditor.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path
