"""End to end with real servers: Prometheus scrapes a running `auditor run`, the alert rules
of deploy/prometheus fire on a broken MariaDB replica and a stopped Kafka consumer group, and
the alerts arrive in Alertmanager."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.integration.daemon.prometheus_server import rules_with_short_for, running_prometheus
from tests.integration.kafka.tansu import TansuBroker
from tests.integration.mysql.mariadb import (
    MONITOR_PASSWORD,
    MONITOR_USER,
    ReplicationPair,
    free_port,
    running_pair,
    wait_until,
)

REPO = Path(__file__).resolve().parents[3]
PASSWORD_ENV = "SHOP_DB_MONITOR_PASSWORD"  # AUDITOR_* variables are config overrides
STOPPED, CAUGHT_UP = "billing-loader", "search-indexer"
TOPIC = "orders"


def _break_replication(pair: ReplicationPair) -> None:
    """A row written on the replica behind replication's back, then the same key on the primary:
    the SQL thread stops on error 1062, as it does in production."""
    pair.replica.sql("SET SESSION sql_log_bin=0", "INSERT INTO shop.orders VALUES (100, 1, 9.99)")
    pair.primary.sql("INSERT INTO shop.orders VALUES (100, 1, 9.99)")
    wait_until(lambda: pair.replica_status().get("Slave_SQL_Running") == "No")
    assert pair.replica_status()["Last_SQL_Errno"] == 1062


def _lagging_groups(broker: TansuBroker) -> None:
    """One group stopped 3 records behind (its offset never moves again), one caught up."""
    broker.create_topics({TOPIC: 1})
    broker.produce(TOPIC, 5)
    broker.commit(STOPPED, {(TOPIC, 0): 2})
    broker.commit(CAUGHT_UP, {(TOPIC, 0): 5})


def _daemon_config(root: Path, port: int, pair: ReplicationPair, broker: TansuBroker) -> Path:
    instance = {"host": "127.0.0.1", "user": MONITOR_USER, "password": {"env": PASSWORD_ENV}}
    config = {
        "state": {"path": str(root / "state.db")},
        "daemon": {"port": port, "jitter_seconds": 0},
        "sources": [
            {
                "name": "shop-db",
                "type": "mysql",
                "interval_seconds": 1,
                "instances": [
                    {**instance, "name": "primary", "port": pair.primary.port, "role": "primary"},
                    {**instance, "name": "replica", "port": pair.replica.port, "role": "replica"},
                ],
            },
            {
                "name": "events",
                "type": "kafka",
                "interval_seconds": 1,
                "bootstrap_servers": [broker.bootstrap],
                "environment": "production",
                "lag": {"window_scans": 4, "min_scans": 3},
            },
        ],
    }
    path = root / "auditor.yaml"
    path.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    return path


@contextmanager
def _running_daemon(config: Path, port: int, log_path: Path) -> Iterator[str]:
    """`auditor run` as a process, ready (first cycle of every source done); SIGTERM on exit."""
    env = {**os.environ, "PYTHONPATH": str(REPO), PASSWORD_ENV: MONITOR_PASSWORD}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "auditor", "run", "--config", str(config)],
            cwd=config.parent,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        assert process.poll() is None, log_path.read_text(errors="replace")
        try:
            return requests.get(url + "/readyz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_until(ready, timeout=60, interval=0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _alerts(alertmanager: str) -> list[dict[str, Any]]:
    response = requests.get(alertmanager + "/api/v2/alerts?active=true", timeout=5)
    response.raise_for_status()
    return [a for a in response.json() if a["labels"]["alertname"].startswith("Auditor")]


def _named(alerts: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [a for a in alerts if a["labels"]["alertname"] == name]


@pytest.mark.slow
def test_broken_replica_and_stopped_group_alert_through_alertmanager(
    tmp_path: Path, alertmanager: str
) -> None:
    """The replica whose SQL thread died on a duplicate key and the consumer group whose offset
    stopped behind the log end each reach Alertmanager as the deploy/ alert, with the labels
    (`server`, `kafka_cluster`), the Burrow condition in the summary and the runbook on-call
    needs; the primary and the caught-up group raise nothing."""
    broker = TansuBroker(tmp_path / "tansu.log").start()
    try:
        with running_pair(tmp_path / "mariadb") as pair:
            _break_replication(pair)
            _lagging_groups(broker)
            port = free_port()
            config = _daemon_config(tmp_path, port, pair, broker)
            with (
                _running_daemon(config, port, tmp_path / "auditor.log") as daemon,
                running_prometheus(
                    tmp_path,
                    rules=rules_with_short_for(tmp_path / "auditor-alerts.yaml"),
                    targets=[daemon.removeprefix("http://")],
                    alertmanager=alertmanager,
                ) as prometheus,
            ):
                started = time.monotonic()

                def both_arrived() -> list[dict[str, Any]] | None:
                    alerts = _alerts(alertmanager)
                    wanted = ("AuditorMySQLReplicationBroken", "AuditorKafkaConsumerGroupStalled")
                    return alerts if all(_named(alerts, n) for n in wanted) else None

                try:
                    alerts = wait_until(both_arrived, timeout=90, interval=0.25)
                except (AssertionError, TimeoutError):
                    rules = requests.get(prometheus + "/api/v1/alerts", timeout=5).json()
                    metrics = requests.get(daemon + "/metrics", timeout=5).text
                    raise AssertionError(f"alerts in Prometheus: {rules}\n{metrics}") from None
                arrival_seconds = time.monotonic() - started
    finally:
        broker.stop()

    # One alert each: the primary (no channel) and the caught-up group raise none.
    [broken] = _named(alerts, "AuditorMySQLReplicationBroken")
    assert (
        broken["labels"].items()
        >= {
            "severity": "critical",
            "job": "auditor",
            "source": "shop-db",
            "server": "replica",  # the MySQL server; `instance` is the scrape target
            "channel": "default",
            "thread": "sql",
        }.items()
    )
    assert broken["annotations"]["summary"] == "Replication sql thread stopped on replica."
    assert broken["annotations"]["runbook_url"].endswith(
        "/docs/runbooks/AuditorMySQLReplicationBroken.md"
    )

    [stalled] = _named(alerts, "AuditorKafkaConsumerGroupStalled")
    assert (
        stalled["labels"].items()
        >= {
            "severity": "critical",
            "source": "events",
            "kafka_cluster": "events",
            "group": STOPPED,
            "status": "ERR",
        }.items()
    )
    assert STOPPED in stalled["annotations"]["description"]
    # The summary names Burrow's condition (no member: STOP, or STALL until the window spans
    # long enough), read from auditor_kafka_consumer_group_condition.
    assert re.fullmatch(
        rf"Consumer group {STOPPED} on events is in ERR: (STOP|STALL)\.",
        stalled["annotations"]["summary"],
    ), stalled["annotations"]["summary"]
    assert stalled["annotations"]["runbook_url"].endswith(
        "/docs/runbooks/AuditorKafkaConsumerGroupStalled.md"
    )
    print(f"both alerts in Alertmanager {arrival_seconds:.1f} s after Prometheus started")
