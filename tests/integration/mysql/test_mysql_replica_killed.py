"""A replica killed mid-collection: a problem and retained findings, never a crash or all-clear.

Runs last on its own pair: the replica does not come back.
"""

from __future__ import annotations

import threading

from auditor.state import HistoryStore
from tests.integration.mysql.conftest import Collected, collect, everything_said, settings_for
from tests.integration.mysql.mariadb import (
    HEARTBEAT_SCHEMA,
    MONITOR_PASSWORD,
    MONITOR_USER,
    ReplicationPair,
    wait_until,
)

SERVER = "mysql.server"
CHANNEL = "mysql.replication_channel"


def test_replica_killed_mid_collection_is_a_problem_with_findings_retained(
    pair: ReplicationPair,
) -> None:
    """SIGKILL while the collector waits on the replica: source partial, replica stale, findings kept."""
    settings = settings_for(pair, heartbeat={"schema": HEARTBEAT_SCHEMA})
    history = HistoryStore()
    pair.replica.sql("SET GLOBAL read_only=OFF")  # a finding the replica should keep
    first = collect(settings, history)
    assert first.of("mysql-replica-writable")

    # Hold the heartbeat table so the collector's read of it blocks on the replica.
    holder = pair.replica.connect()
    holder.cursor().execute(f"LOCK TABLES {HEARTBEAT_SCHEMA}.heartbeat WRITE")
    outcome: list[Collected] = []
    worker = threading.Thread(target=lambda: outcome.append(collect(settings, history)))
    worker.start()
    wait_until(
        lambda: any(
            row["User"] == MONITOR_USER and "lock" in str(row["State"]).lower()
            for row in pair.replica.sql("SHOW PROCESSLIST")
        )
    )
    pair.replica.kill()
    worker.join(timeout=60)
    holder.close()
    [got] = outcome

    assert got.result.health.up, "the primary still answers: partial, not down"
    [problem] = got.result.problems
    assert problem.startswith("replica (127.0.0.1:") and "lost" in problem
    replica = got.one(SERVER, "replica")
    assert replica["reachable"] is False and replica["error_kind"] == "unreachable"
    assert replica["stale"] is True and replica["role"] == "replica"
    channel = got.one(CHANNEL, "replica", "default")
    assert channel["stale"] is True
    assert got.one(SERVER, "primary")["reachable"] is True
    assert got.of("mysql-server-unreachable") and got.of("auditor-source-partial")
    assert got.of("mysql-replica-writable"), "the replica's finding is retained, not resolved"
    assert MONITOR_PASSWORD not in everything_said(got)


def test_every_instance_down_is_a_down_source_not_an_all_clear(pair: ReplicationPair) -> None:
    """With the replica dead and the primary stopped, the source is down with the reasons."""
    pair.replica.kill()
    pair.primary.stop()
    got = collect(settings_for(pair))
    assert not got.result.health.up
    assert got.result.error_kind == "unreachable"
    assert "primary (127.0.0.1:" in got.result.health.error
    [down] = got.of("auditor-source-down")
    assert "shop-db" in down.message
    assert MONITOR_PASSWORD not in everything_said(got)
