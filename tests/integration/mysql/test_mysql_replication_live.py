"""Replication scenarios on a real MariaDB primary + replica, judged by the rule library.

One pair serves the module; each test breaks one thing and the autouse fixture restores a
healthy, caught-up, read-only replica afterwards.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from auditor.state import HistoryStore
from tests.integration.mysql.conftest import collect, settings_for
from tests.integration.mysql.mariadb import HEARTBEAT_SCHEMA, ReplicationPair, wait_until

CHANNEL = "mysql.replication_channel"
SERVER = "mysql.server"
REPLICATION_RULES = (
    "mysql-replication-stopped",
    "mysql-replication-broken",
    "mysql-replication-lag",
    "mysql-replication-lag-unknown",
    "mysql-replication-not-configured",
    "mysql-replica-writable",
)


@pytest.fixture(autouse=True)
def healthy(pair: ReplicationPair) -> Iterator[None]:
    """Every test starts and leaves the pair healthy."""
    pair.restore_healthy()
    yield
    pair.restore_healthy()


def test_healthy_pair_reads_fully_with_known_zero_lag(pair: ReplicationPair) -> None:
    """Both servers answer; the replica's channel runs with lag known; no replication finding."""
    got = collect(settings_for(pair))
    assert got.result.health.up and got.result.problems == []
    channel = got.one(CHANNEL, "replica", "default")
    assert channel["configured"] and channel["io_running"] and channel["sql_running"]
    assert channel["lag_known"] is True and channel["lag_seconds"] == 0.0
    assert channel["source_port"] == pair.primary.port and channel["using_gtid"]
    assert got.one(SERVER, "primary")["role"] == "primary"
    replica = got.one(SERVER, "replica")
    assert replica["role"] == "replica" and replica["read_only"] is True
    assert replica["missing_grants"] == [] and replica["flavour"] == "mariadb"
    assert not [f for f in got.findings if f.rule_id in REPLICATION_RULES]


def test_sql_thread_stopped_with_writes_is_stopped_and_lag_unknown(pair: ReplicationPair) -> None:
    """STOP SLAVE SQL_THREAD then writes: not running, SBM NULL, explicit unknown lag, bytes pending."""
    pair.replica.sql("STOP SLAVE SQL_THREAD")
    pair.primary.sql("INSERT INTO shop.orders VALUES (1, 1, 9.99), (2, 1, 19.99)")
    wait_until(
        lambda: (
            pair.replica_status()["Read_Master_Log_Pos"]
            > pair.replica_status()["Exec_Master_Log_Pos"]
        )
    )
    got = collect(settings_for(pair))
    channel = got.one(CHANNEL, "replica", "default")
    assert channel["sql_running"] is False and channel["io_running"] is True
    assert channel["seconds_behind_source"] is None
    assert channel["lag_known"] is False and channel["lag_seconds"] is None
    assert "SQL thread is not running" in channel["lag_unknown_reason"]
    assert channel["unapplied_bytes"] > 0
    [stopped] = got.of("mysql-replication-stopped")
    assert "SQL thread" in stopped.message and "bytes" in stopped.message
    assert got.of("mysql-replication-lag-unknown")
    pair.primary.sql("DELETE FROM shop.orders")


def test_delayed_replica_shows_growing_lag_over_the_threshold(pair: ReplicationPair) -> None:
    """MASTER_DELAY holds events back: lag in seconds grows between collections and is reported."""
    pair.change_master(delay=60)
    pair.primary.sql("INSERT INTO shop.orders VALUES (3, 1, 5.00)")
    settings = settings_for(pair)

    def lagging() -> float:
        lag = collect(settings).one(CHANNEL, "replica", "default")["lag_seconds"]
        return float(lag) if lag and lag >= 1 else 0.0

    first = wait_until(lagging, timeout=20, interval=0.2)
    later = wait_until(lambda: (lag := lagging()) > first and lag, timeout=20, interval=0.2)
    got = collect(settings, params={"mysql-replication-lag": {"max_lag_seconds": 1}})
    channel = got.one(CHANNEL, "replica", "default")
    assert channel["sql_delay_seconds"] == 60 and channel["lag_source"] == "seconds_behind_source"
    assert channel["lag_seconds"] >= later > first
    [lag] = got.of("mysql-replication-lag")
    assert "threshold 1 s" in lag.message and "60 s of it is the configured delay" in lag.message
    pair.change_master(delay=0)
    pair.primary.sql("DELETE FROM shop.orders")


def test_duplicate_key_breaks_replication_with_1062(pair: ReplicationPair) -> None:
    """A row inserted on the replica alone, then on the primary: Last_SQL_Errno 1062 in the finding."""
    pair.replica.sql("SET SESSION sql_log_bin=0", "INSERT INTO shop.orders VALUES (7, 2, 1.00)")
    pair.primary.sql("INSERT INTO shop.orders VALUES (7, 2, 1.00)")
    wait_until(lambda: pair.replica_status()["Last_SQL_Errno"] == 1062)
    try:
        got = collect(settings_for(pair))
        channel = got.one(CHANNEL, "replica", "default")
        assert channel["last_sql_errno"] == 1062 and "Duplicate entry" in channel["last_sql_error"]
        [broken] = got.of("mysql-replication-broken")
        assert "1062" in broken.message and "Duplicate entry" in broken.message
        assert broken.evidence["last_sql_errno"] == 1062
        assert not got.of("mysql-replication-stopped")  # the broken rule owns it, with the error
    finally:
        pair.replica.sql("SET SESSION sql_log_bin=0", "DELETE FROM shop.orders WHERE id = 7")
        pair.primary.sql("DELETE FROM shop.orders")


def test_wrong_replication_password_is_connecting_with_1045(pair: ReplicationPair) -> None:
    """IO thread 'Connecting' counts as not running, and the finding carries 1045 and its text."""
    pair.change_master(password="not-the-password")
    wait_until(lambda: pair.replica_status()["Last_IO_Errno"] == 1045)
    got = collect(settings_for(pair))
    channel = got.one(CHANNEL, "replica", "default")
    assert channel["io_state"] == "Connecting" and channel["io_running"] is False
    [broken] = got.of("mysql-replication-broken")
    assert "1045" in broken.message and "IO thread" in broken.message


def test_writable_replica_is_reported(pair: ReplicationPair) -> None:
    """read_only=OFF on a replica is a finding naming the instance."""
    pair.replica.sql("SET GLOBAL read_only=OFF")
    got = collect(settings_for(pair))
    assert got.one(SERVER, "replica")["read_only"] is False
    [writable] = got.of("mysql-replica-writable")
    assert "replica" in writable.message and "read_only" in writable.message
    assert not got.of("mysql-primary-read-only")


def _pt_heartbeat_update(pair: ReplicationPair) -> None:
    """pt-heartbeat itself writes the heartbeat row on the primary for a second."""
    subprocess.run(
        ["pt-heartbeat", "--update", "--utc", "--run-time", "1", "--interval", "0.2",
         "-h", "127.0.0.1", "-P", str(pair.primary.port), "-u", "root",
         "-D", HEARTBEAT_SCHEMA, "--table", "heartbeat"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip


def test_heartbeat_shows_true_lag_while_seconds_behind_is_null(pair: ReplicationPair) -> None:
    """pt-heartbeat keeps writing while the SQL thread is stopped: SBM NULL, lag still known."""
    _pt_heartbeat_update(pair)
    pair.wait_caught_up()
    pair.replica.sql("STOP SLAVE SQL_THREAD")
    stopped_at = datetime.now(UTC)
    _pt_heartbeat_update(pair)  # not applied on the replica: its row falls behind
    settings = settings_for(pair, heartbeat={"schema": HEARTBEAT_SCHEMA})
    got = collect(settings, params={"mysql-replication-lag": {"max_lag_seconds": 1}})
    channel = got.one(CHANNEL, "replica", "default")
    assert channel["seconds_behind_source"] is None and channel["sql_running"] is False
    assert channel["heartbeat_status"] == "ok" and channel["lag_source"] == "heartbeat"
    elapsed = (datetime.now(UTC) - stopped_at + timedelta(seconds=1)).total_seconds()
    assert 1.0 <= channel["lag_seconds"] <= elapsed + 1.0
    [lag] = got.of("mysql-replication-lag")
    assert "heartbeat" in lag.message
    assert not got.of("mysql-replication-lag-unknown")
    pair.replica.sql("START SLAVE SQL_THREAD")


def test_replication_removed_keeps_an_explicit_unconfigured_channel(pair: ReplicationPair) -> None:
    """RESET SLAVE ALL on a declared replica: the channel stays, configured false, with a finding."""
    history = HistoryStore()
    collect(settings_for(pair), history)
    pair.replica.sql("STOP SLAVE", "RESET SLAVE ALL")
    got = collect(settings_for(pair), history)
    channel = got.one(CHANNEL, "replica", "default")
    assert channel["configured"] is False and channel["lag_known"] is False
    assert channel["lag_seconds"] is None
    [missing] = got.of("mysql-replication-not-configured")
    assert "replica" in missing.message
    pair.change_master()
