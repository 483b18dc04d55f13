"""What one instance returned, as plain rows: the boundary between I/O and normalising.

The reader (reader.py) fills it from a live server; unit tests fill it from recorded rows of
MySQL 5.7, 8.0, 8.4 and MariaDB. Everything after it is pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Row = dict[str, Any]


@dataclass(slots=True)
class HeartbeatRows:
    """The heartbeat table as read on one instance, or why it could not be read.

    `status`: 'ok', 'missing_table', 'denied', 'error' ('not_configured' is None instead).
    """

    status: str
    rows: list[Row] = field(default_factory=list)  # server_id, ts
    error: str | None = None


@dataclass(slots=True)
class PrivilegeRows:
    """Grant facts of every account, flavour-neutral (see queries.py for each flavour's SQL).

    `logins`: user, host, plugin, password_empty (0/1), locked (0/1), ssl_type, is_role (0/1);
    `user`/`schema`/`table`/`column`: information_schema *_PRIVILEGES rows;
    `roles`: user, host, role, role_host (who holds which role).
    """

    logins: list[Row] = field(default_factory=list)
    user: list[Row] = field(default_factory=list)
    schema: list[Row] = field(default_factory=list)
    table: list[Row] = field(default_factory=list)
    column: list[Row] = field(default_factory=list)
    roles: list[Row] = field(default_factory=list)


@dataclass(slots=True)
class InstanceRows:
    """Everything read from one instance. `None` means "could not be read" (see missing_grants)."""

    version: str
    version_comment: str
    utc_now: datetime  # UTC_TIMESTAMP(6) on the server (naive, UTC)
    local_now: datetime  # NOW(6) on the server (naive, the server's time zone)
    variables: dict[str, str] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    replica_status: list[Row] | None = None
    heartbeat: HeartbeatRows | None = None
    privileges: PrivilegeRows | None = None
    columns: list[Row] | None = None
    own_global_privileges: list[str] = field(default_factory=list)
    missing_grants: list[str] = field(default_factory=list)
