"""`type: mysql` sources: the instances of one replication topology and how to judge them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from auditor.collectors.base import SourceSettings
from auditor.collectors.secrets import SecretRef

# Column names that hold personal data, by category (case-insensitive `re.search`).
DEFAULT_PII_PATTERNS: dict[str, str] = {
    "email": r"e_?mail",
    "phone": r"phone|mobile|msisdn|(^|_)tel(_|$)|telephone",
    "address": r"address|street|(^|_)city($|_)|post_?code|postal_?code|zip_?code",
    "date_of_birth": r"(^|_)dob($|_)|birth_?date|date_?of_?birth|birthday",
    "payment_card": r"(^|_)pan($|_)|card_?number|credit_?card|(^|_)cc_?num",
    "national_id": r"aadhaa?r|(^|_)ssn($|_)|national_?id|passport|tax_?id|(^|_)nino($|_)",
    "person_name": r"(first|last|full|given|family|sur)_?name",
    "ip_address": r"(^|_)ip_?addr|(^|_)ip($|_)",
}
DEFAULT_PII_COMMENT_PATTERN = r"(?i)\bpii\b|personal data|gdpr"
_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
_IDENTIFIER = r"^[A-Za-z0-9_$]+$"


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False, frozen=True, populate_by_name=True
    )


class TlsSettings(_Model):
    """TLS for the auditor's own connection (pymysql `ssl`)."""

    mode: Literal["disabled", "preferred", "required", "verify_ca", "verify_identity"] = Field(
        default="preferred",
        description="preferred: TLS when the server offers it; required: TLS or fail; "
        "verify_ca / verify_identity: also check the certificate (and the host name).",
    )
    ca: Path | None = Field(default=None, description="CA bundle for verify_ca/verify_identity.")
    cert: Path | None = Field(default=None, description="Client certificate (mutual TLS).")
    key: Path | None = Field(default=None, description="Client key (mutual TLS).")

    @model_validator(mode="after")
    def _ca_for_verification(self) -> TlsSettings:
        if self.mode in ("verify_ca", "verify_identity") and self.ca is None:
            raise ValueError(f"tls.mode {self.mode} needs tls.ca")
        if (self.cert is None) != (self.key is None):
            raise ValueError("give both tls.cert and tls.key, or neither")
        return self


class InstanceSettings(_Model):
    """One server of the topology: a primary or a replica."""

    name: str = Field(pattern=_NAME, description="Unique within the source; used in ids.")
    host: str = Field(min_length=1)
    port: int = Field(default=3306, ge=1, le=65535)
    user: str = Field(min_length=1, description="The monitoring account (docs/sources/mysql.md).")
    password: SecretRef | None = Field(default=None, description="{env: NAME} or {file: PATH}.")
    role: Literal["auto", "primary", "replica"] = Field(
        default="auto",
        description="What this server should be; auto: a replica when it has replication "
        "channels. A declared replica without replication is reported, not taken as primary.",
    )
    tls: TlsSettings = Field(default_factory=TlsSettings)
    connect_timeout_seconds: float = Field(default=5.0, gt=0, le=300)
    read_timeout_seconds: float = Field(default=10.0, gt=0, le=600)


class HeartbeatSettings(_Model):
    """A pt-heartbeat table (`pt-heartbeat --update` on the primary) giving true lag."""

    schema_name: str = Field(default="percona", alias="schema", pattern=_IDENTIFIER)
    table: str = Field(default="heartbeat", pattern=_IDENTIFIER)
    source_server_id: int | None = Field(
        default=None,
        ge=0,
        description="Row to read (pt-heartbeat --master-server-id); default: each channel's "
        "source server id.",
    )
    timestamps: Literal["utc", "local"] = Field(
        default="utc",
        description="utc when pt-heartbeat runs with --utc (recommended); local otherwise.",
    )


class PiiSettings(_Model):
    """How PII columns are recognised."""

    patterns: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_PII_PATTERNS),
        description="Category → regular expression over column names (case-insensitive). "
        "Replaces the defaults; copy them from docs/sources/mysql.md to extend.",
    )
    comment_pattern: str | None = Field(
        default=DEFAULT_PII_COMMENT_PATTERN,
        description="Column comments matching this mark a column as PII (category 'comment').",
    )
    schemas: list[str] = Field(default_factory=list, description="Only these (default: all).")
    exclude_schemas: list[str] = Field(default_factory=list)

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, patterns: dict[str, str]) -> dict[str, str]:
        for category, pattern in patterns.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {category!r} does not compile: {exc}") from None
        return patterns

    @field_validator("comment_pattern")
    @classmethod
    def _comment_compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"does not compile: {exc}") from None
        return pattern


class MysqlSettings(SourceSettings):
    """`type: mysql` — a primary and its replicas (or any set of MySQL/MariaDB servers)."""

    type: Literal["mysql"] = "mysql"
    instances: list[InstanceSettings] = Field(min_length=1)
    heartbeat: HeartbeatSettings | None = Field(
        default=None, description="Read true lag from a pt-heartbeat table."
    )
    pii: PiiSettings = Field(default_factory=PiiSettings)
    max_parallel_instances: int = Field(default=4, ge=1, le=32)

    @field_validator("instances")
    @classmethod
    def _unique_names(cls, instances: list[InstanceSettings]) -> list[InstanceSettings]:
        names = [i.name for i in instances]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"two instances are named {name!r}")
        return instances
