"""`type: kafka` settings: validation with located errors, secrets read late and never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.collectors.base import SourceError
from auditor.collectors.kafka.errors import error_kind, source_error
from auditor.collectors.kafka.settings import client_config, secret_values
from auditor.config import load_config
from auditor.errors import ConfigError

BASE = """\
sources:
  - name: prod-events
    type: kafka
    bootstrap_servers: [kafka-0.kafka.data.svc:9093]
"""


def _load(tmp_path: Path, extra: str, environ: dict[str, str] | None = None):
    path = tmp_path / "auditor.yaml"
    path.write_text(BASE + extra, encoding="utf-8")
    return load_config(path, environ=environ or {}), path


def test_sasl_ssl_source_builds_the_client_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SASL and TLS fields become librdkafka properties; the password comes from the env."""
    monkeypatch.setenv("KAFKA_AUDITOR_PASSWORD", "s3cr3t-value")
    (tmp_path / "key-pw").write_text("key-secret\n", encoding="utf-8")
    config, _ = _load(
        tmp_path,
        "    security_protocol: SASL_SSL\n"
        "    sasl: {mechanism: SCRAM-SHA-512, username: auditor,"
        " password: {env: KAFKA_AUDITOR_PASSWORD}}\n"
        f"    ssl: {{ca_location: /etc/kafka/ca.pem, key_password: {{file: {tmp_path}/key-pw}}}}\n"
        "    client_config: {client.rack: europe-west1-b}\n",
    )
    [source] = config.sources
    built = client_config(source)
    assert built["security.protocol"] == "SASL_SSL"
    assert built["sasl.mechanism"] == "SCRAM-SHA-512"
    assert built["sasl.password"] == "s3cr3t-value"
    assert built["ssl.key.password"] == "key-secret"
    assert built["ssl.ca.location"] == "/etc/kafka/ca.pem"
    assert built["ssl.endpoint.identification.algorithm"] == "https"
    assert built["client.rack"] == "europe-west1-b"
    assert sorted(secret_values(built)) == ["key-secret", "s3cr3t-value"]
    assert "s3cr3t-value" not in repr(source)


def test_missing_secret_is_a_config_error_naming_where_it_looked(tmp_path: Path) -> None:
    """An unset variable is a clean 'config' failure that names the variable, not a crash."""
    config, _ = _load(
        tmp_path,
        "    security_protocol: SASL_PLAINTEXT\n"
        "    sasl: {username: auditor, password: {env: NOT_SET_ANYWHERE}}\n",
    )
    with pytest.raises(SourceError) as caught:
        client_config(config.sources[0])
    assert caught.value.kind == "config"
    assert "NOT_SET_ANYWHERE" in str(caught.value)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("    security_protocol: SASL_SSL\n", "needs a `sasl` section"),
        ("    client_config: {sasl.password: hunter2}\n", "is set from the source's own fields"),
        ("    client_config: {oauth.token: abc}\n", "looks like a secret"),
        ("    bootstrap_servers: [kafka-0]\n", "is not host:port"),
        ("    pii_topic_patterns: ['(unclosed']\n", "is not a regular expression"),
        ("    lag: {window_scans: 3, min_scans: 5}\n", "min_scans cannot exceed window_scans"),
    ],
)
def test_invalid_settings_are_located_errors(tmp_path: Path, extra: str, message: str) -> None:
    """Each mistake is a ConfigError at the source's line with a plain message."""
    text = BASE.replace("    bootstrap_servers: [kafka-0.kafka.data.svc:9093]\n", "")
    if "bootstrap_servers" not in extra:
        text += "    bootstrap_servers: [kafka-0.kafka.data.svc:9093]\n"
    path = tmp_path / "auditor.yaml"
    path.write_text(text + extra, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert message in caught.value.detail
    assert caught.value.line is not None
    assert "hunter2" not in caught.value.one_line()


def test_unknown_key_names_its_path(tmp_path: Path) -> None:
    """A misspelt field is reported as sources.0.FIELD: unknown key."""
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, "    boostrap: x\n")
    assert "sources.0.boostrap: unknown key" in caught.value.detail


class _Code:
    """A KafkaError-like value: what the client puts in KafkaException.args[0]."""

    def __init__(self, name: str, text: str) -> None:
        self._name, self._text = name, text

    def name(self) -> str:
        return self._name

    def str(self) -> str:
        return self._text


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("_TRANSPORT", "unreachable"),
        ("_ALL_BROKERS_DOWN", "unreachable"),
        ("_TIMED_OUT", "timeout"),
        ("SASL_AUTHENTICATION_FAILED", "auth"),
        ("_SSL", "auth"),
        ("GROUP_AUTHORIZATION_FAILED", "permission"),
        ("UNKNOWN_TOPIC_OR_PART", "protocol"),
    ],
)
def test_client_errors_map_to_source_error_kinds(name: str, kind: str) -> None:
    """librdkafka error names sort into the source error kinds rules and metrics use."""
    assert error_kind(Exception(_Code(name, "text"))) == kind


def test_known_secrets_are_scrubbed_from_error_text() -> None:
    """Even if a client message carried the password, the SourceError would not."""
    error = source_error(
        "reading cluster metadata",
        Exception(_Code("SASL_AUTHENTICATION_FAILED", "bad credentials s3cr3t-value")),
        ["s3cr3t-value"],
    )
    assert error.kind == "auth"
    assert "s3cr3t-value" not in str(error)
    assert str(error) == "reading cluster metadata: SASL_AUTHENTICATION_FAILED: bad credentials ***"
