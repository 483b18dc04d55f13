"""Replication channels from recorded status rows of MariaDB, MySQL 5.7, 8.0.22+ and 8.4."""

from __future__ import annotations

from datetime import datetime

from auditor.collectors.mysql.columns import REPLICA_STATUS_COLUMNS, canonical_row
from auditor.collectors.mysql.flavour import detect_flavour, replica_status_statements
from auditor.collectors.mysql.replication import (
    HeartbeatView,
    normalise_channel,
    unconfigured_channel,
)
from auditor.collectors.mysql.rows import HeartbeatRows
from tests.unit.mysql.recorded import (
    MARIADB_10_11_HEALTHY,
    MARIADB_10_11_WRONG_PASSWORD,
    MYSQL_5_7_DELAYED,
    MYSQL_8_4_CHANNEL_BILLING_BROKEN,
    MYSQL_8_4_CHANNEL_ORDERS,
)

NOW = datetime(2026, 11, 26, 6, 0, 0)


def _heartbeat(*rows: tuple[int, str], source: int | None = None) -> HeartbeatView:
    return HeartbeatView(
        HeartbeatRows("ok", [{"server_id": s, "ts": ts} for s, ts in rows]), NOW, source
    )


def test_mysql_8_4_and_mariadb_names_read_to_the_same_canonical_fields() -> None:
    """Source_*/Replica_* (8.0.22+) and Master_*/Slave_* (MariaDB) land on one set of names."""
    new = canonical_row(MYSQL_8_4_CHANNEL_ORDERS, REPLICA_STATUS_COLUMNS)
    old = canonical_row(MARIADB_10_11_HEALTHY, REPLICA_STATUS_COLUMNS)
    assert new["source_host"] == "10.20.0.11" and old["source_host"] == "127.0.0.1"
    assert new["io_running"] == old["io_running"] == "Yes"
    assert new["seconds_behind_source"] == 42 and old["seconds_behind_source"] == 0
    assert new["channel"] == "orders" and old["channel"] == ""
    assert new["executed_gtid_set"].endswith(":1-90208") and old["executed_gtid_set"] == "0-1-6"


def test_healthy_mariadb_channel_has_known_lag_from_seconds_behind() -> None:
    """Both threads running with SBM 0: lag known, 0 s, measured by Seconds_Behind."""
    data = normalise_channel(MARIADB_10_11_HEALTHY, None)
    assert data["configured"] and data["io_running"] and data["sql_running"]
    assert (data["lag_known"], data["lag_seconds"], data["lag_source"]) == (
        True,
        0.0,
        "seconds_behind_source",
    )
    assert data["using_gtid"] and data["gtid_position"] == "slave_pos"
    assert data["heartbeat_status"] == "not_configured"
    assert data["unapplied_bytes"] == 0


def test_connecting_io_thread_is_not_running_and_carries_the_error() -> None:
    """'Connecting' with 1045 is a stopped IO thread with its error, and lag is unknown."""
    data = normalise_channel(MARIADB_10_11_WRONG_PASSWORD, None)
    assert data["io_running"] is False and data["io_state"] == "Connecting"
    assert data["last_io_errno"] == 1045 and "Access denied" in data["last_io_error"]
    assert data["lag_known"] is False and data["lag_seconds"] is None
    assert "IO thread is not running" in data["lag_unknown_reason"]


def test_mysql_8_4_broken_channel_reports_1062_and_unknown_lag() -> None:
    """A stopped SQL thread with 1062: the error number and text, lag explicitly unknown."""
    data = normalise_channel(MYSQL_8_4_CHANNEL_BILLING_BROKEN, None)
    assert data["channel"] == "billing"
    assert data["sql_running"] is False and data["last_sql_errno"] == 1062
    assert data["last_sql_error_at"] == "260126 04:12:09"
    assert data["lag_known"] is False and data["lag_seconds"] is None
    assert data["lag_unknown_reason"].startswith("the SQL thread is not running")
    assert data["using_gtid"] is False


def test_mysql_5_7_delayed_replica_reports_delay_and_lag() -> None:
    """Old column names still read: SQL_Delay and SBM lag, unapplied bytes unknown across files."""
    data = normalise_channel(MYSQL_5_7_DELAYED, None)
    assert data["sql_delay_seconds"] == 3600 and data["lag_seconds"] == 3512.0
    assert data["unapplied_bytes"] is None  # read and executed positions are in different files


def test_heartbeat_gives_true_lag_while_seconds_behind_is_null() -> None:
    """With the SQL thread stopped SBM is NULL, but the heartbeat row still says how old the data is."""
    data = normalise_channel(
        MYSQL_8_4_CHANNEL_BILLING_BROKEN, _heartbeat((12, "2026-11-26T05:58:30.500000"))
    )
    assert data["seconds_behind_source"] is None
    assert (data["lag_known"], data["lag_seconds"], data["lag_source"]) == (True, 89.5, "heartbeat")
    assert data["heartbeat_lag_seconds"] == 89.5


def test_heartbeat_wins_over_seconds_behind_and_uses_the_channel_source() -> None:
    """Each channel reads the heartbeat row of its own source server id."""
    view = _heartbeat((11, "2026-11-26T05:59:57"), (12, "2026-11-26T05:00:00"))
    data = normalise_channel(MYSQL_8_4_CHANNEL_ORDERS, view)
    assert data["lag_seconds"] == 3.0 and data["lag_source"] == "heartbeat"


def test_configured_source_server_id_overrides_the_channel() -> None:
    """heartbeat.source_server_id picks the row (pt-heartbeat --master-server-id)."""
    view = _heartbeat((11, "2026-11-26T05:59:57"), (99, "2026-11-26T05:59:00"), source=99)
    assert normalise_channel(MYSQL_8_4_CHANNEL_ORDERS, view)["lag_seconds"] == 60.0


def test_missing_heartbeat_row_falls_back_and_says_so() -> None:
    """No row for the source: SBM is used and heartbeat_status is no_row."""
    data = normalise_channel(MYSQL_8_4_CHANNEL_ORDERS, _heartbeat((5, "2026-11-26T05:59:57")))
    assert data["heartbeat_status"] == "no_row"
    assert data["lag_source"] == "seconds_behind_source" and data["lag_seconds"] == 42.0


def test_unreadable_heartbeat_is_named_in_the_unknown_reason() -> None:
    """A missing heartbeat table plus a stopped SQL thread: the reason names both."""
    view = HeartbeatView(HeartbeatRows("missing_table", error="no table"), NOW, None)
    data = normalise_channel(MYSQL_8_4_CHANNEL_BILLING_BROKEN, view)
    assert data["lag_known"] is False
    assert data["lag_unknown_reason"].endswith("heartbeat: missing table")


def test_primary_clock_ahead_never_reads_as_negative_lag() -> None:
    """A heartbeat stamp slightly in the replica's future is 0 s, not negative."""
    data = normalise_channel(MYSQL_8_4_CHANNEL_ORDERS, _heartbeat((11, "2026-11-26T06:00:00.400")))
    assert data["lag_seconds"] == 0.0


def test_unconfigured_channel_is_explicit() -> None:
    """A replica without replication still has a channel: not configured, lag unknown."""
    data = unconfigured_channel("")
    assert data["configured"] is False and data["io_running"] is False
    assert data["lag_known"] is False and data["lag_seconds"] is None
    assert data["lag_unknown_reason"] == "replication is not configured"


def test_statements_follow_the_flavour_and_version() -> None:
    """MariaDB lists all connections; 8.0.22+ uses SHOW REPLICA STATUS; 5.7 the old one."""
    mariadb = detect_flavour("10.11.19-MariaDB-0+deb12u1-log", "Debian 12")
    assert mariadb.name == "mariadb" and mariadb.version == (10, 11, 19)
    assert replica_status_statements(mariadb)[0] == "SHOW ALL SLAVES STATUS"
    assert replica_status_statements(detect_flavour("8.4.3", "MySQL Community Server - GPL"))[
        0
    ] == ("SHOW REPLICA STATUS")
    assert replica_status_statements(detect_flavour("5.7.44-log", "MySQL Community Server")) == [
        "SHOW SLAVE STATUS"
    ]
    assert detect_flavour("8.0.36-28", "Percona Server (GPL), Release 28").name == "percona"
