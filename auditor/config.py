"""auditor.yaml: the configuration model, file loading with line numbers, AUDITOR_* overrides."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from auditor.collectors.base import SourceSettings
from auditor.collectors.registry import SOURCE_TYPES, UnknownSourceType, settings_model_for
from auditor.collectors.secrets import SecretRef
from auditor.errors import ConfigError, InputError
from auditor.model import Severity
from auditor.yaml_lines import LocatedDocument, read_located

ENV_PREFIX = "AUDITOR_"
# Variables with the prefix that are not config overrides.
ENV_RESERVED = frozenset({"AUDITOR_CONFIG"})
DEFAULT_CONFIG_FILE = "auditor.yaml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class RulesConfig(_Section):
    """Which rules run and with which params."""

    bundled: bool = Field(default=True, description="Load the rule library shipped with auditor.")
    paths: list[Path] = Field(default_factory=list, description="Extra rule files or folders.")
    disabled: list[str] = Field(default_factory=list, description="Rule ids or globs to skip.")
    params: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Per rule id: param name to value, over the defaults."
    )


class WaiverConfig(_Section):
    """An accepted risk: who accepted it, why, and until when."""

    rule: str = Field(min_length=1, description="Rule id or glob.")
    resource: str = Field(default="*", min_length=1, description="Glob on resource id or scope.")
    container: str | None = Field(
        default=None,
        description="Kubernetes workloads only: exempt just the containers matching this glob "
        "(a service-mesh sidecar); the rest of the workload is still judged.",
    )
    reason: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    expires: date = Field(description="Last day the waiver applies (YYYY-MM-DD).")


class ScanConfig(_Section):
    """Defaults for `auditor scan`; command-line flags win."""

    fail_on: Severity | Literal["none"] = Severity.HIGH
    format: str = "table"
    cluster: str = Field(default="manifests", description="Cluster name given to manifests.")


class PiiConfig(_Section):
    """How resources holding personal data are recognised."""

    label: str = "data-classification"
    values: list[str] = Field(default_factory=lambda: ["pii"])


class LoggingConfig(_Section):
    """Log level and rendering."""

    level: Literal["debug", "info", "warning", "error"] = "warning"
    format: Literal["auto", "console", "json"] = "auto"


class StateConfig(_Section):
    """Where the state store lives (history windows; the daemon's finding lifecycle)."""

    path: Path = Field(
        default=Path(".auditor/state.db"), description="SQLite file; its folder is created."
    )


class SlackNotifications(_Section):
    """Slack incoming webhook: one grouped message per cycle for new and resolved findings."""

    webhook_url: SecretRef = Field(description="The webhook URL is a secret: {env: } or {file: }.")
    min_severity: Severity = Field(default=Severity.HIGH, description="Announce at or above.")
    runbook_base_url: str = Field(
        default="",
        description="Where docs/runbooks is published; a finding links BASE/rules/RULE_ID.md.",
    )
    timeout_seconds: float = Field(default=10.0, gt=0)


class AlertmanagerNotifications(_Section):
    """Alertmanager v2: every open finding as an alert each cycle; endsAt on resolve."""

    url: str = Field(description="Alertmanager base URL, e.g. http://alertmanager:9093.")
    min_severity: Severity = Field(default=Severity.LOW, description="Send at or above.")
    resolved_resend_seconds: float = Field(
        default=3600.0, gt=0, description="Keep re-sending a resolve this long (lost posts heal)."
    )
    generator_url: str = Field(default="", description="Link back to this auditor.")
    runbook_base_url: str = Field(
        default="",
        description="Where docs/runbooks is published; a finding links BASE/rules/RULE_ID.md.",
    )
    timeout_seconds: float = Field(default=10.0, gt=0)


class NotificationsConfig(_Section):
    """Where the daemon announces findings; each sink is off unless configured."""

    slack: SlackNotifications | None = None
    alertmanager: AlertmanagerNotifications | None = None
    max_attempts: int = Field(
        default=0, ge=0, description="Give up on a message after this many tries (0: never)."
    )


class LeaderElectionConfig(_Section):
    """With several replicas, only the holder of a Kubernetes Lease sends notifications."""

    enabled: bool = False
    namespace: str = Field(default="", description="Lease namespace (default: the pod's own).")
    lease_name: str = "auditor"
    identity: str = Field(default="", description="This replica's name (default: hostname).")
    lease_seconds: float = Field(default=15.0, gt=0)
    renew_seconds: float = Field(default=5.0, gt=0)
    kubeconfig: Path | None = Field(
        default=None, description="Outside a cluster; in a pod the service account is used."
    )


class DaemonConfig(_Section):
    """`auditor run`: HTTP endpoints, scheduling and notifications."""

    listen_address: str = Field(default="127.0.0.1", description="HTTP bind address.")
    port: int = Field(default=9464, ge=0, le=65535, description="HTTP port (0: any free port).")
    jitter_seconds: float = Field(
        default=5.0, ge=0, description="Random delay added to each source's schedule."
    )
    retention_days: int = Field(
        default=30, ge=1, description="Forget resolved findings and sent messages after this."
    )
    hash_principals: bool = Field(
        default=True, description="Hash e-mail addresses in metric labels."
    )
    finding_info_limit: int = Field(
        default=0,
        ge=0,
        description="Export auditor_finding_info per open finding, worst first, up to this "
        "many (0: off; one series per finding).",
    )
    notifications: NotificationsConfig = Field(default_factory=NotificationsConfig)
    leader_election: LeaderElectionConfig = Field(default_factory=LeaderElectionConfig)


class AuditorConfig(_Section):
    """The whole of auditor.yaml."""

    rules: RulesConfig = Field(default_factory=RulesConfig)
    scan: ScanConfig = Field(default_factory=ScanConfig)
    waivers: list[WaiverConfig] = Field(default_factory=list)
    pii: PiiConfig = Field(default_factory=PiiConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    state: StateConfig = Field(default_factory=StateConfig)
    daemon: DaemonConfig = Field(default_factory=DaemonConfig)
    sources: list[SourceSettings] = Field(
        default_factory=list,
        description="Live sources; each entry's fields depend on its `type` (docs/sources/).",
    )

    @field_validator("waivers")
    @classmethod
    def _waivers_unique(cls, waivers: list[WaiverConfig]) -> list[WaiverConfig]:
        seen: set[tuple[str, str, str]] = set()
        for waiver in waivers:
            key = (waiver.rule, waiver.resource, waiver.container or "")
            if key in seen:
                raise ValueError(f"two waivers for rule {waiver.rule!r} on {waiver.resource!r}")
            seen.add(key)
        return waivers


def config_json_schema() -> dict[str, Any]:
    """The published JSON Schema of auditor.yaml, for editors."""
    schema = AuditorConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "auditor.yaml"
    schema["properties"]["sources"]["items"] = _source_variants(schema.setdefault("$defs", {}))
    return schema


def _source_variants(defs: dict[str, Any]) -> dict[str, Any]:
    """A source entry is one of the source types' settings, chosen by its `type`."""
    variants = []
    for source_type in sorted(SOURCE_TYPES):
        model = settings_model_for(source_type)
        variant = model.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(variant.pop("$defs", {}))
        variant["properties"]["type"] = {"const": source_type, "description": "Source type."}
        variant["required"] = sorted({*variant.get("required", []), "type"})
        variants.append(variant)
    return {"oneOf": variants}


def _env_overrides(environ: Mapping[str, str]) -> list[tuple[str, tuple[str, ...], Any]]:
    """AUDITOR_SCAN__FAIL_ON=critical → the path ('scan', 'fail_on') and the value 'critical'."""
    overrides = []
    for name, raw in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX) or name in ENV_RESERVED:
            continue
        path = tuple(part.lower() for part in name[len(ENV_PREFIX) :].split("__") if part)
        try:  # values are YAML scalars or flow collections: `critical`, `[a, b]`, `true`
            value = yaml.safe_load(raw)
        except yaml.YAMLError:
            value = raw
        overrides.append((name, path, value))
    return overrides


def _apply(data: dict[str, Any], path: tuple[str, ...], value: Any, origin: str) -> None:
    node = data
    for key in path[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise ConfigError(f"{origin}: {'.'.join(path)} goes through a non-mapping value")
        node = child
    node[path[-1]] = value


def load_config(
    path: Path | None = None, *, environ: Mapping[str, str] | None = None
) -> AuditorConfig:
    """The configuration from `path` (or defaults) with AUDITOR_* overrides applied.

    Every error names the file and line, or the environment variable, and the field path.
    """
    env = os.environ if environ is None else environ
    document = LocatedDocument(data={})
    if path is not None:
        try:
            document = read_located(path)
        except InputError as exc:
            raise ConfigError(exc.detail, path=exc.path, line=exc.line) from None
        if document.data is None:
            document.data = {}
        if not isinstance(document.data, dict):
            raise ConfigError("the config must be a mapping of sections", path=str(path), line=1)
    data: dict[str, Any] = document.data
    origins: dict[tuple[str, ...], str] = {}
    for name, key_path, value in _env_overrides(env):
        if not key_path:
            raise ConfigError(f"environment variable {name} names no config field")
        _apply(data, key_path, value, name)
        origins[key_path] = name
    raw_sources = data.get("sources", [])
    if isinstance(raw_sources, list):
        data = {**data, "sources": _validate_sources(raw_sources, document, path)}
    try:
        return AuditorConfig.model_validate(data)
    except ValidationError as exc:
        raise _config_error(exc, document, path, origins) from None


def _validate_sources(
    raw_sources: list[Any], document: LocatedDocument, path: Path | None
) -> list[SourceSettings]:
    """Each entry against its own type's settings model, so errors name `sources.N.field`."""
    where = str(path) if path else ""

    def line(*loc: str | int) -> int | None:
        return document.line_of(("sources", *loc)) if path else None

    settings: list[SourceSettings] = []
    for index, raw in enumerate(raw_sources):
        if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
            raise ConfigError(f"sources.{index}: needs a `type`", path=where, line=line(index))
        try:
            model = settings_model_for(raw["type"])
        except UnknownSourceType as exc:
            raise ConfigError(
                f"sources.{index}.type: {exc}", path=where, line=line(index, "type")
            ) from None
        try:
            settings.append(model.model_validate(raw))
        except ValidationError as exc:
            error = exc.errors()[0]
            loc = (index, *error["loc"])
            message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
            dotted = ".".join(str(p) for p in ("sources", *loc))
            raise ConfigError(f"{dotted}: {message}", path=where, line=line(*loc)) from None
    names = [s.name for s in settings]
    for index, name in enumerate(names):
        if name in names[:index]:  # point at the second one: the first is presumably meant
            raise ConfigError(
                f"sources: two sources are named {name!r}", path=where, line=line(index, "name")
            )
    return settings


def _config_error(
    exc: ValidationError,
    document: LocatedDocument,
    path: Path | None,
    origins: dict[tuple[str, ...], str],
) -> ConfigError:
    error = exc.errors()[0]
    loc = tuple(error["loc"])
    dotted = ".".join(str(part) for part in loc)
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    for key_path, variable in origins.items():
        if tuple(str(p) for p in loc[: len(key_path)]) == key_path:
            return ConfigError(f"{dotted}: {message} (from environment variable {variable})")
    if path is None:
        return ConfigError(f"{dotted}: {message}")
    return ConfigError(f"{dotted}: {message}", path=str(path), line=document.line_of(loc))


def find_config(explicit: Path | None, environ: Mapping[str, str] | None = None) -> Path | None:
    """The config file to use: --config, else $AUDITOR_CONFIG, else ./auditor.yaml if present."""
    env = os.environ if environ is None else environ
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError("config file not found", path=str(explicit))
        return explicit
    from_env = env.get("AUDITOR_CONFIG")
    if from_env:
        candidate = Path(from_env)
        if not candidate.is_file():
            raise ConfigError("config file not found (from AUDITOR_CONFIG)", path=from_env)
        return candidate
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.is_file() else None
