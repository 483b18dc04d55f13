"""A secret written inline where auditor.yaml wants `{env: NAME}` or `{file: PATH}` is refused
with an error that names the field and line, never the value (CI logs keep config errors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.config import load_config
from auditor.errors import ConfigError
from tests.security.canaries import Canaries, assert_no_canary

SECRET = "canary-inline-3f1c9e2a7b5d4c81"
CASES = {
    "mysql password": "sources: [{name: db, type: mysql, instances: "
    "[{name: p, host: 127.0.0.1, user: u, password: SECRET}]}]",
    "mysql password, extra key": "sources: [{name: db, type: mysql, instances: "
    "[{name: p, host: 127.0.0.1, user: u, password: {env: X, value: SECRET}}]}]",
    "kafka sasl password": "sources: [{name: k, type: kafka, bootstrap_servers: ['h:9092'], "
    "security_protocol: SASL_SSL, sasl: {username: u, password: SECRET}}]",
    "kafka key password": "sources: [{name: k, type: kafka, bootstrap_servers: ['h:9092'], "
    "security_protocol: SSL, ssl: {key_password: SECRET}}]",
    "kafka client_config": "sources: [{name: k, type: kafka, bootstrap_servers: ['h:9092'], "
    "client_config: {sasl.password: SECRET}}]",
    "kafka client_config, other key": "sources: [{name: k, type: kafka, "
    "bootstrap_servers: ['h:9092'], client_config: {my.token: SECRET}}]",
    "airflow password": "sources: [{name: a, type: airflow, url: 'https://af.example', "
    "auth: {type: jwt, username: admin, password: SECRET}}]",
    "airflow url credentials": "sources: [{name: a, type: airflow, "
    "url: 'https://admin:SECRET@af.example'}]",
    "slack webhook": "daemon: {notifications: {slack: "
    "{webhook_url: 'https://hooks.slack.com/services/T0/B0/SECRET'}}}",
    "slack webhook, wrong type": "daemon: {notifications: {slack: {webhook_url: [SECRET]}}}",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_inline_secret_is_refused_without_echoing_it(tmp_path: Path, case: str) -> None:
    """The config error names the file, line and field; the secret is not in it."""
    path = tmp_path / "auditor.yaml"
    path.write_text(CASES[case].replace("SECRET", SECRET) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path, environ={})
    message = str(raised.value)
    assert str(path) in message
    assert_no_canary(Canaries({"inline": SECRET}), message, f"config error ({case})")


def test_an_env_override_with_a_secret_is_refused_without_echoing_it() -> None:
    """AUDITOR_* overrides are plain values: a secret given that way is refused, unnamed."""
    with pytest.raises(ConfigError) as raised:
        load_config(None, environ={"AUDITOR_DAEMON__NOTIFICATIONS__SLACK__WEBHOOK_URL": SECRET})
    assert_no_canary(Canaries({"env": SECRET}), str(raised.value), "config error (env)")
