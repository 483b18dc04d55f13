"""The auditor.yaml that reads the estate with the planted canaries: every source type on its
success path, with wrong credentials and against a closed port; Slack and Alertmanager."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.fakes.k8s.server import GKE_CONTEXT
from tests.security.credentials import encrypted_client_key
from tests.security.estate import CANARY_USER, Estate

# Sources whose canaries open a session, and those refused or unreachable.
SUCCESS = ("mysql-ok", "kafka-ok", "airflow-ok", "gke-ok", "gcp-ok")
FAILURE = (
    "mysql-wrong-password", "mysql-unreachable", "kafka-sasl-refused", "kafka-ssl-key-refused",
    "kafka-unreachable", "airflow-wrong-password", "airflow-basic-refused", "airflow-unreachable",
    "composer-adc-refused", "gke-wrong-token", "gke-unreachable", "gcp-adc-refused",
)  # fmt: skip
# Deadlines are generous: several auditor processes collect at once on a small shared machine.
GCP_ORG = "123456789012"


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
    cert, key = encrypted_client_key(estate.root, "the-key-is-locked-with-another")
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
