"""`type: kafka` settings, and the librdkafka configuration they become (secrets read late)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from auditor.collectors.base import SourceSettings
from auditor.collectors.secrets import SecretRef

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

# Name fragments that mark a topic as carrying personal data, as data platforms name them.
DEFAULT_PII_TOPIC_PATTERNS = (
    r"(^|[._-])(pii|gdpr|personal)([._-]|$)",
    r"(^|[._-])(customers?|users?|accounts?|profiles?)([._-]|$)",
)

# librdkafka keys set from typed fields: giving them in client_config would bypass those fields.
_MANAGED_KEYS = ("bootstrap.servers", "security.protocol", "client.id")
_SECRET_KEY_MARKERS = ("password", "secret", "jaas", "key.pem", "ssl.key", "token", "credentials")


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class SaslSettings(_Part):
    """SASL credentials; the password comes from the environment or a mounted file."""

    mechanism: SaslMechanism = "SCRAM-SHA-512"
    username: str = Field(min_length=1)
    password: SecretRef


class SslSettings(_Part):
    """TLS: the CA to trust and, for mutual TLS, the client certificate and key."""

    ca_location: Path | None = Field(default=None, description="PEM file of the CA(s) to trust.")
    certificate_location: Path | None = Field(default=None, description="Client certificate.")
    key_location: Path | None = Field(default=None, description="Client private key (PEM).")
    key_password: SecretRef | None = Field(default=None, description="Password of the key.")
    verify_hostname: bool = Field(default=True, description="Check the broker's certificate name.")


class PatternSettings(_Part):
    """Which names to read: include (any matches; empty = all) minus exclude (regex search)."""

    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)

    @field_validator("include", "exclude")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            _compile(pattern)
        return patterns

    def admits(self, name: str) -> bool:
        """True when `name` is included and not excluded."""
        if self.include and not any(re.search(p, name) for p in self.include):
            return False
        return not any(re.search(p, name) for p in self.exclude)


class LagSettings(_Part):
    """How lag is judged over the history kept between collections."""

    allowed_lag: int = Field(
        default=0,
        ge=0,
        description="Records behind that still count as caught up (1 for transactional topics, "
        "whose commit markers leave a permanent lag of 1).",
    )
    window_scans: int = Field(
        default=10, ge=2, le=60, description="Scans in the status window (Burrow's intervals)."
    )
    min_scans: int = Field(
        default=5, ge=2, le=60, description="Scans needed before a lagging partition is judged."
    )
    history_points: int = Field(
        default=64,
        ge=2,
        description="Log-end offsets kept per partition for lag in seconds (the state store's "
        "own bound also applies).",
    )
    max_detail_partitions: int = Field(
        default=10, ge=0, description="Most partitions listed on a group's problem_partitions."
    )

    @model_validator(mode="after")
    def _min_within_window(self) -> LagSettings:
        if self.min_scans > self.window_scans:
            raise ValueError("min_scans cannot exceed window_scans")
        return self


class KafkaSettings(SourceSettings):
    """`type: kafka` — one cluster read through the Kafka Admin API (confluent-kafka)."""

    bootstrap_servers: list[str] = Field(min_length=1, description="host:port of some brokers.")
    cluster: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="Name used in resource ids; defaults to the source name.",
    )
    environment: str | None = Field(
        default=None, description="e.g. production; rules treat production clusters strictly."
    )
    security_protocol: SecurityProtocol = "PLAINTEXT"
    sasl: SaslSettings | None = None
    ssl: SslSettings | None = None
    request_timeout_seconds: float = Field(default=10.0, gt=0, description="Per Admin API call.")
    log_start_refresh_seconds: float = Field(
        default=300.0,
        ge=0,
        description="Re-read log-start offsets this often (they move only as retention "
        "deletes segments); 0 = every collection.",
    )
    max_inflight_groups: int = Field(
        default=250, ge=1, le=1000, description="Groups whose offsets are fetched at once."
    )
    topics: PatternSettings = Field(default_factory=PatternSettings)
    groups: PatternSettings = Field(default_factory=PatternSettings)
    pii_topic_patterns: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PII_TOPIC_PATTERNS),
        description="A topic whose name matches one (regex search, case-insensitive) holds PII.",
    )
    lag: LagSettings = Field(default_factory=LagSettings)
    client_config: dict[str, str | int | float | bool] = Field(
        default_factory=dict,
        description="Extra librdkafka properties (no secrets: those come from SecretRef fields).",
    )

    @field_validator("bootstrap_servers")
    @classmethod
    def _host_port(cls, servers: list[str]) -> list[str]:
        for server in servers:
            if not re.fullmatch(r"[A-Za-z0-9_.\-\[\]:]+:\d{1,5}", server):
                raise ValueError(f"{server!r} is not host:port")
        return servers

    @field_validator("pii_topic_patterns")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            _compile(pattern)
        return patterns

    @field_validator("client_config")
    @classmethod
    def _no_secrets_or_managed_keys(
        cls, config: dict[str, str | int | float | bool]
    ) -> dict[str, str | int | float | bool]:
        for key in config:
            lowered = key.lower()
            if lowered in _MANAGED_KEYS or lowered.startswith(("sasl.", "ssl.")):
                raise ValueError(f"{key!r} is set from the source's own fields, not client_config")
            if any(marker in lowered for marker in _SECRET_KEY_MARKERS):
                raise ValueError(
                    f"{key!r} looks like a secret: give secrets as {{env: NAME}} or {{file: PATH}}"
                    " in the sasl/ssl fields"
                )
        return config

    @model_validator(mode="after")
    def _protocol_matches_parts(self) -> KafkaSettings:
        uses_sasl = self.security_protocol.startswith("SASL_")
        if uses_sasl and self.sasl is None:
            raise ValueError(f"security_protocol {self.security_protocol} needs a `sasl` section")
        if not uses_sasl and self.sasl is not None:
            raise ValueError("`sasl` is given but security_protocol does not use SASL")
        if self.ssl is not None and not self.security_protocol.endswith("SSL"):
            raise ValueError("`ssl` is given but security_protocol does not use SSL")
        return self

    @property
    def cluster_name(self) -> str:
        """The cluster's name in resource ids and scopes."""
        return self.cluster or self.name


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from None


def client_config(settings: KafkaSettings) -> dict[str, Any]:
    """The librdkafka configuration; reads secrets (SourceError 'config' when one is missing)."""
    config: dict[str, Any] = {
        "bootstrap.servers": ",".join(settings.bootstrap_servers),
        "security.protocol": settings.security_protocol,
        "client.id": f"auditor-{settings.name}",
        "socket.timeout.ms": int(settings.request_timeout_seconds * 1000),
        # Idle-connection chatter is not an audit finding; failures surface as SourceErrors.
        "log.connection.close": False,
    }
    if settings.sasl is not None:
        config["sasl.mechanism"] = settings.sasl.mechanism
        config["sasl.username"] = settings.sasl.username
        config["sasl.password"] = settings.sasl.password.read()
    if settings.ssl is not None:
        ssl = settings.ssl
        optional = {
            "ssl.ca.location": ssl.ca_location,
            "ssl.certificate.location": ssl.certificate_location,
            "ssl.key.location": ssl.key_location,
        }
        config.update({key: str(value) for key, value in optional.items() if value is not None})
        if ssl.key_password is not None:
            config["ssl.key.password"] = ssl.key_password.read()
        config["ssl.endpoint.identification.algorithm"] = "https" if ssl.verify_hostname else "none"
    config.update(settings.client_config)
    return config


def secret_values(config: dict[str, Any]) -> list[str]:
    """The secret values inside a client configuration, to scrub from any text we report."""
    return [
        str(value)
        for key, value in config.items()
        if key in ("sasl.password", "ssl.key.password") and value
    ]
