"""The one alias map: canonical names for what MySQL 5.7, 8.0, 8.4 and MariaDB call differently.

MySQL 8.0.22 renamed the replica status columns (Slave → Replica, Master → Source) and 8.4
removed the old statements; MariaDB keeps the old names and adds its own (`Connection_name`,
`Using_Gtid`, `Gtid_Slave_Pos`). Columns are always read by name through this table, never by
position, so a new server version that adds or reorders columns changes nothing here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# canonical name → the column names servers use for it, newest first.
REPLICA_STATUS_COLUMNS: dict[str, tuple[str, ...]] = {
    "channel": ("Channel_Name", "Connection_name"),
    "io_state": ("Replica_IO_State", "Slave_IO_State"),
    "source_host": ("Source_Host", "Master_Host"),
    "source_port": ("Source_Port", "Master_Port"),
    "source_user": ("Source_User", "Master_User"),
    "source_server_id": ("Source_Server_Id", "Master_Server_Id"),
    "source_log_file": ("Source_Log_File", "Master_Log_File"),
    "read_source_log_pos": ("Read_Source_Log_Pos", "Read_Master_Log_Pos"),
    "exec_source_log_file": ("Relay_Source_Log_File", "Relay_Master_Log_File"),
    "exec_source_log_pos": ("Exec_Source_Log_Pos", "Exec_Master_Log_Pos"),
    "io_running": ("Replica_IO_Running", "Slave_IO_Running"),
    "sql_running": ("Replica_SQL_Running", "Slave_SQL_Running"),
    "sql_running_state": ("Replica_SQL_Running_State", "Slave_SQL_Running_State"),
    "seconds_behind_source": ("Seconds_Behind_Source", "Seconds_Behind_Master"),
    "last_io_errno": ("Last_IO_Errno",),
    "last_io_error": ("Last_IO_Error",),
    "last_io_error_timestamp": ("Last_IO_Error_Timestamp",),
    "last_sql_errno": ("Last_SQL_Errno",),
    "last_sql_error": ("Last_SQL_Error",),
    "last_sql_error_timestamp": ("Last_SQL_Error_Timestamp",),
    "sql_delay": ("SQL_Delay",),
    "ssl_allowed": ("Source_SSL_Allowed", "Master_SSL_Allowed"),
    "ssl_verify_server_cert": ("Source_SSL_Verify_Server_Cert", "Master_SSL_Verify_Server_Cert"),
    "auto_position": ("Auto_Position",),  # MySQL GTID auto-positioning (0/1)
    "using_gtid": ("Using_Gtid",),  # MariaDB: No / Slave_Pos / Current_Pos
    "retrieved_gtid_set": ("Retrieved_Gtid_Set", "Gtid_IO_Pos"),
    "executed_gtid_set": ("Executed_Gtid_Set", "Gtid_Slave_Pos"),
}

# canonical name → server variable names (SHOW GLOBAL VARIABLES), newest first.
SERVER_VARIABLES: dict[str, tuple[str, ...]] = {
    "server_id": ("server_id",),
    "version": ("version",),
    "version_comment": ("version_comment",),
    "read_only": ("read_only",),
    "super_read_only": ("super_read_only",),  # MySQL only
    "log_bin": ("log_bin",),
    "binlog_format": ("binlog_format",),
    "gtid_mode": ("gtid_mode",),  # MySQL only
    "gtid_strict_mode": ("gtid_strict_mode",),  # MariaDB only
    "sync_binlog": ("sync_binlog",),
    "innodb_flush_log_at_trx_commit": ("innodb_flush_log_at_trx_commit",),
    "require_secure_transport": ("require_secure_transport",),
    "have_ssl": ("have_ssl",),
    "semi_sync_source_enabled": ("rpl_semi_sync_source_enabled", "rpl_semi_sync_master_enabled"),
    "semi_sync_replica_enabled": ("rpl_semi_sync_replica_enabled", "rpl_semi_sync_slave_enabled"),
    "semi_sync_wait_for_replica_count": (
        "rpl_semi_sync_source_wait_for_replica_count",
        "rpl_semi_sync_master_wait_for_slave_count",
    ),
}

# canonical name → status variable names (SHOW GLOBAL STATUS), newest first.
SERVER_STATUS: dict[str, tuple[str, ...]] = {
    "semi_sync_source_clients": ("Rpl_semi_sync_source_clients", "Rpl_semi_sync_master_clients"),
    "semi_sync_source_status": ("Rpl_semi_sync_source_status", "Rpl_semi_sync_master_status"),
}


def all_names(table: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Every server-side name in an alias table (for a `WHERE Variable_name IN (...)`)."""
    return sorted({name for names in table.values() for name in names})


def pick(row: Mapping[str, Any], table: Mapping[str, tuple[str, ...]], canonical: str) -> Any:
    """The value of `canonical` in `row` under whichever alias the server used; None if absent.

    Lookups ignore case: `SHOW VARIABLES` names are lower-case on every server but status
    column names have been spelled differently across versions (`Channel_name`).
    """
    for alias in table[canonical]:
        if alias in row:
            return row[alias]
    lowered = {key.lower(): value for key, value in row.items()}
    for alias in table[canonical]:
        if alias.lower() in lowered:
            return lowered[alias.lower()]
    return None


def canonical_row(row: Mapping[str, Any], table: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    """`row` re-keyed by canonical names (absent ones are None)."""
    return {canonical: pick(row, table, canonical) for canonical in table}


def variables_map(rows: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """`SHOW VARIABLES` / `SHOW STATUS` rows (Variable_name, Value) as a name → value map."""
    result: dict[str, str] = {}
    for row in rows:
        name = row.get("Variable_name", row.get("VARIABLE_NAME"))
        value = row.get("Value", row.get("VARIABLE_VALUE"))
        if isinstance(name, str):
            result[name.lower()] = "" if value is None else str(value)
    return result
