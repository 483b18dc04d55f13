"""Replication channels from replica status rows: explicit state and lag that does not lie.

Every field is always present. `lag_seconds` is null only when `lag_known` is false, and then
`lag_unknown_reason` says why — the series never silently vanishes (mysqld_exporter drops a
NULL Seconds_Behind_Master, so its lag disappears exactly when replication stops).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from auditor.collectors.mysql.columns import REPLICA_STATUS_COLUMNS, canonical_row
from auditor.collectors.mysql.rows import HeartbeatRows, Row

CHANNEL_KIND = "mysql.replication_channel"


@dataclass(frozen=True, slots=True)
class HeartbeatView:
    """What lag computation needs of the heartbeat: the rows and how to read their time."""

    rows: HeartbeatRows
    now: datetime  # the server's clock in the heartbeat's time zone
    source_server_id: int | None  # None: each channel's own source


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):  # NULL-ish text, NaN, infinity
        return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
    return text or None


def _running(value: Any) -> bool:
    # 'Connecting' is not running: the IO thread is retrying, nothing is being received.
    return _text(value) == "Yes"


def _heartbeat_lag(view: HeartbeatView, server_id: int | None) -> tuple[str, float | None]:
    """(status, lag) for the row of `server_id`: status ok, no_row, unparsable or the read's."""
    if view.rows.status != "ok":
        return view.rows.status, None
    wanted = view.source_server_id if view.source_server_id is not None else server_id
    for row in view.rows.rows:
        if _int(row.get("server_id")) == wanted:
            stamp = _text(row.get("ts"))
            try:
                written = datetime.fromisoformat(stamp or "")
            except ValueError:
                return "unparsable", None
            lag = (view.now - written.replace(tzinfo=None)).total_seconds()
            # A clock slightly ahead on the primary must not read as negative lag.
            return "ok", round(max(0.0, lag), 3)
    return "no_row", None


def _gtid_position(row: dict[str, Any]) -> str:
    using = _text(row["using_gtid"])
    if using is not None:  # MariaDB
        return using.lower()
    return "auto_position" if _int(row["auto_position"]) == 1 else "no"


def _unapplied_bytes(row: dict[str, Any]) -> int | None:
    read_pos, exec_pos = _int(row["read_source_log_pos"]), _int(row["exec_source_log_pos"])
    same_file = _text(row["source_log_file"]) == _text(row["exec_source_log_file"])
    if read_pos is None or exec_pos is None or not same_file:
        return None
    return max(0, read_pos - exec_pos)


def _lag(
    io_running: bool, sql_running: bool, behind: int | None, hb_status: str, hb_lag: float | None
) -> tuple[bool, float | None, str | None, str | None]:
    """(lag_known, lag_seconds, lag_source, lag_unknown_reason)."""
    if hb_lag is not None:
        return True, hb_lag, "heartbeat", None
    if io_running and sql_running and behind is not None:
        return True, float(behind), "seconds_behind_source", None
    if not sql_running:
        reason = "the SQL thread is not running, so Seconds_Behind_Source is NULL"
    elif not io_running:
        # The SQL thread may still apply old relay log: its number is a floor, not the lag.
        reason = (
            "the IO thread is not running, so Seconds_Behind_Source measures only the relay log"
        )
    else:
        reason = "Seconds_Behind_Source is NULL"
    if hb_status not in ("not_configured", "ok"):
        reason += f"; heartbeat: {hb_status.replace('_', ' ')}"
    return False, None, None, reason


def normalise_channel(row: Row, heartbeat: HeartbeatView | None) -> dict[str, Any]:
    """One status row (any server's column names) as mysql.replication_channel data."""
    c = canonical_row(row, REPLICA_STATUS_COLUMNS)
    io_running, sql_running = _running(c["io_running"]), _running(c["sql_running"])
    behind = _int(c["seconds_behind_source"])
    source_server_id = _int(c["source_server_id"])
    hb_status, hb_lag = (
        _heartbeat_lag(heartbeat, source_server_id) if heartbeat else ("not_configured", None)
    )
    lag_known, lag_seconds, lag_source, reason = _lag(
        io_running, sql_running, behind, hb_status, hb_lag
    )
    gtid_position = _gtid_position(c)
    return {
        "channel": _text(c["channel"]) or "",
        "configured": bool(_text(c["source_host"])),
        "io_running": io_running,
        "io_state": _text(c["io_running"]),
        "io_activity": _text(c["io_state"]),
        "sql_running": sql_running,
        "sql_state": _text(c["sql_running"]),
        "sql_activity": _text(c["sql_running_state"]),
        "last_io_errno": _int(c["last_io_errno"]) or 0,
        "last_io_error": _text(c["last_io_error"]),
        "last_io_error_at": _text(c["last_io_error_timestamp"]),
        "last_sql_errno": _int(c["last_sql_errno"]) or 0,
        "last_sql_error": _text(c["last_sql_error"]),
        "last_sql_error_at": _text(c["last_sql_error_timestamp"]),
        "source_host": _text(c["source_host"]),
        "source_port": _int(c["source_port"]),
        "source_user": _text(c["source_user"]),
        "source_server_id": source_server_id,
        "source_ssl": _text(c["ssl_allowed"]) == "Yes",
        "using_gtid": gtid_position not in ("no", ""),
        "gtid_position": gtid_position,
        "executed_gtid_set": _text(c["executed_gtid_set"]),
        "sql_delay_seconds": _int(c["sql_delay"]) or 0,
        "seconds_behind_source": behind,
        "heartbeat_status": hb_status,
        "heartbeat_lag_seconds": hb_lag,
        "lag_known": lag_known,
        "lag_seconds": lag_seconds,
        "lag_source": lag_source,
        "lag_unknown_reason": reason,
        "unapplied_bytes": _unapplied_bytes(c),
    }


def unconfigured_channel(channel: str) -> dict[str, Any]:
    """A channel a replica should have but does not (RESET REPLICA ALL, or never set up)."""
    data = normalise_channel({"Channel_Name": channel}, None)
    data["lag_unknown_reason"] = "replication is not configured"
    return data
