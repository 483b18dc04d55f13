"""mysql.server: the instance's role, durability, replication and transport settings."""

from __future__ import annotations

from typing import Any

from auditor.collectors.mysql.columns import SERVER_STATUS, SERVER_VARIABLES, pick
from auditor.collectors.mysql.flavour import Flavour
from auditor.collectors.mysql.settings import InstanceSettings

SERVER_KIND = "mysql.server"


def _bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    return str(value).strip().upper() in ("ON", "1", "YES", "TRUE")


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _upper(value: Any) -> str | None:
    return str(value).upper() if value not in (None, "") else None


def decide_role(instance: InstanceSettings, configured_channels: int) -> tuple[str, str]:
    """(role, role_source): the declared role wins; 'auto' reads it from the channels."""
    if instance.role != "auto":
        return instance.role, "config"
    return ("replica" if configured_channels else "primary"), "replication"


def normalise_server(
    instance: InstanceSettings,
    flavour: Flavour,
    variables: dict[str, str],
    status: dict[str, str],
    configured_channels: int,
    missing_grants: list[str],
) -> dict[str, Any]:
    """mysql.server data of a server that answered."""

    def var(name: str) -> Any:
        return pick(variables, SERVER_VARIABLES, name)

    role, role_source = decide_role(instance, configured_channels)
    semi_sync_enabled = _bool(var("semi_sync_source_enabled"))
    wait_count = _int(var("semi_sync_wait_for_replica_count"))
    if wait_count is None and semi_sync_enabled is not None:
        wait_count = 1  # MariaDB waits for one acknowledgement; it has no such variable
    return {
        **_identity(instance, role, role_source),
        "reachable": True,
        "error_kind": None,
        "error": None,
        "flavour": flavour.name,
        "version": flavour.version_text,
        "server_id": _int(var("server_id")),
        "channels": configured_channels,
        "read_only": _bool(var("read_only")),
        "super_read_only": _bool(var("super_read_only")),
        "log_bin": _bool(var("log_bin")),
        "binlog_format": _upper(var("binlog_format")),
        "gtid_mode": _upper(var("gtid_mode")),
        "gtid_strict_mode": _bool(var("gtid_strict_mode")),
        "sync_binlog": _int(var("sync_binlog")),
        "innodb_flush_log_at_trx_commit": _int(var("innodb_flush_log_at_trx_commit")),
        "require_secure_transport": _bool(var("require_secure_transport")),
        "tls_available": _bool(var("have_ssl")),
        "semi_sync_source_enabled": semi_sync_enabled,
        "semi_sync_source_clients": _int(pick(status, SERVER_STATUS, "semi_sync_source_clients")),
        "semi_sync_wait_for_replica_count": wait_count,
        "semi_sync_replica_enabled": _bool(var("semi_sync_replica_enabled")),
        "missing_grants": sorted(set(missing_grants)),
    }


def _identity(instance: InstanceSettings, role: str, role_source: str) -> dict[str, Any]:
    return {
        "name": instance.name,
        "instance": instance.name,
        "host": instance.host,
        "port": instance.port,
        "role": role,
        "role_source": role_source,
        "declared_role": None if instance.role == "auto" else instance.role,
    }


def unreachable_server(
    instance: InstanceSettings, error_kind: str, error: str, last_role: str | None
) -> dict[str, Any]:
    """mysql.server data of a server that did not answer: identity and why, the rest null."""
    role: str = instance.role
    role_source = "config"
    if instance.role == "auto":
        role, role_source = (last_role, "last_seen") if last_role else ("unknown", "unknown")
    data: dict[str, Any] = {
        **_identity(instance, role, role_source),
        "reachable": False,
        "error_kind": error_kind,
        "error": error,
    }
    for field in SERVER_FIELDS:
        data.setdefault(field, None)
    data["missing_grants"] = []
    return data


SERVER_FIELDS = (
    "name", "instance", "host", "port", "role", "role_source", "declared_role", "reachable",
    "error_kind", "error", "flavour", "version", "server_id", "channels", "read_only",
    "super_read_only", "log_bin", "binlog_format", "gtid_mode", "gtid_strict_mode",
    "sync_binlog", "innodb_flush_log_at_trx_commit", "require_secure_transport",
    "tls_available", "semi_sync_source_enabled", "semi_sync_source_clients",
    "semi_sync_wait_for_replica_count", "semi_sync_replica_enabled", "missing_grants",
)  # fmt: skip
