"""The Prometheus collector: findings, source health and pipeline signals per scrape."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from prometheus_client.exposition import generate_latest
from prometheus_client.registry import CollectorRegistry

from auditor.daemon.metrics import MetricsInput
from auditor.daemon.rules import RulesStatus
from auditor.daemon.service import Daemon
from auditor.daemon.snapshot import DaemonSnapshot, SourceView
from auditor.lifecycle import FindingCount
from auditor.model import Resource, SourceHealth, fingerprint
from auditor.paths import demo_dir
from exporters.prometheus import AuditorMetrics, hash_principal
from tests.unit.daemon.estate import daemon_config

GOLDEN = Path(__file__).parent / "golden" / "prometheus.txt"
T0 = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def _registry(source: MetricsInput) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(AuditorMetrics(source))
    return registry


def _view(name: str, kind: str, resources: list[Resource], *, up: bool = True) -> SourceView:
    return SourceView(
        health=SourceHealth(
            name=name, type=kind, up=up, last_success=T0, duration_seconds=0.25, resources=1
        ),
        resources=tuple(resources),
        stale=not up,
        cycle_at=T0,
        interval_seconds=30.0,
    )


def _fixed_snapshot() -> DaemonSnapshot:
    snapshot = DaemonSnapshot(expected_sources=frozenset({"kafka-prod", "mysql-prod", "composer"}))
    group = Resource(
        kind="kafka.consumer_group",
        id="prod/orders-enricher",
        source="kafka-prod",
        scope="prod",
        data={"name": "orders-enricher", "cluster": "prod", "lag": 1200, "lag_seconds": 95.5,
              "partitions_without_offset": 1, "status": "WARN",
              "worst_partition_status": "WARN"},
    )  # fmt: skip
    stalled_group = Resource(
        kind="kafka.consumer_group",
        id="prod/payments-sink",
        source="kafka-prod",
        scope="prod",
        data={"name": "payments-sink", "cluster": "prod", "lag": 40, "lag_seconds": 610.0,
              "partitions_without_offset": 0, "status": "ERR",
              "worst_partition_status": "STALL"},
    )  # fmt: skip
    unknown_group = Resource(
        kind="kafka.consumer_group",
        id="prod/billing@acme-data.example",
        source="kafka-prod",
        scope="prod",
        data={"name": "billing@acme-data.example", "cluster": "prod", "lag": 0,
              "lag_seconds": None, "partitions_without_offset": 0, "status": "UNKNOWN",
              "worst_partition_status": "UNKNOWN"},
    )  # fmt: skip
    channel = Resource(
        kind="mysql.replication_channel",
        id="replica-1/default",
        source="mysql-prod",
        scope="replica-1",
        data={"name": "replica-1/default", "instance": "replica-1", "channel": "",
              "configured": True, "io_running": True, "sql_running": False,
              "lag_known": False, "lag_seconds": None},
    )  # fmt: skip
    dag = Resource(
        kind="airflow.dag",
        id="composer-prod/daily_orders",
        source="composer",
        scope="composer-prod",
        data={"dag_id": "daily_orders", "environment": "composer-prod", "is_paused": False,
              "last_success_end_date": "2026-11-24T02:10:00+00:00",
              "last_success_data_interval_end": "2026-11-24T00:00:00+00:00"},
    )  # fmt: skip
    snapshot.publish(_view("kafka-prod", "kafka", [group, stalled_group, unknown_group]))
    snapshot.publish(_view("mysql-prod", "mysql", [channel]))
    snapshot.publish(_view("composer", "airflow", [dag]))
    return snapshot


def _fixed_input() -> MetricsInput:
    counts = [
        FindingCount("airflow-dag-data-stale", "high", "freshness", "composer", "open", False, 1),
        FindingCount("mysql-replication-stopped", "critical", "ha", "mysql-prod", "open", True, 1),
        FindingCount("mysql-replica-writable", "high", "ha", "mysql-prod", "waived", False, 1),
    ]
    stale_dag = fingerprint("airflow-dag-data-stale", "airflow.dag", "composer-prod/daily_orders")
    return MetricsInput(
        snapshot=_fixed_snapshot(),
        counts=lambda: counts,
        open_fingerprints=lambda rule: {stale_dag} if rule == "airflow-dag-data-stale" else set(),
        delivered={"slack": 3},
        failed={"slack": 1},
        pending=lambda sink: 2,
        rules=lambda: RulesStatus(loaded=107, rejected=("custom/x.yaml:3: bad",), reloaded_at=T0),
    )


def test_exposition_matches_the_golden_text() -> None:
    """The whole exposition of a fixed snapshot is exactly the reviewed golden text."""
    text = generate_latest(_registry(_fixed_input())).decode()
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_samples_carry_the_pipeline_numbers() -> None:
    """Group lag, replica thread states and DAG freshness appear as their own samples."""
    registry = _registry(_fixed_input())
    group = {"source": "kafka-prod", "kafka_cluster": "prod", "group": "orders-enricher"}
    assert registry.get_sample_value("auditor_kafka_consumer_group_lag_offsets", group) == 1200
    assert registry.get_sample_value("auditor_kafka_consumer_group_lag_seconds", group) == 95.5
    assert (
        registry.get_sample_value(
            "auditor_kafka_consumer_group_status", {**group, "status": "WARN"}
        )
        == 1
    )
    channel = {"source": "mysql-prod", "server": "replica-1", "channel": "default"}
    assert registry.get_sample_value("auditor_mysql_replication_lag_known", channel) == 0
    assert registry.get_sample_value("auditor_mysql_replication_lag_seconds", channel) is None
    assert (
        registry.get_sample_value(
            "auditor_mysql_replication_thread_running", {**channel, "thread": "sql"}
        )
        == 0
    )
    dag = {"source": "composer", "environment": "composer-prod", "dag": "daily_orders"}
    assert registry.get_sample_value("auditor_airflow_dag_stale", dag) == 1
    assert (
        registry.get_sample_value("auditor_airflow_dag_last_success_timestamp_seconds", dag)
        == datetime(2026, 11, 24, 2, 10, tzinfo=UTC).timestamp()
    )


def test_a_group_in_err_names_its_burrow_condition() -> None:
    """A group in ERR says which condition (STOP, STALL or REWIND) its worst partition is in:
    exactly one condition series of each group is 1, the one the collector recorded."""
    registry = _registry(_fixed_input())
    conditions = {
        sample.labels["group"]: sample.labels["condition"]
        for family in registry.collect()
        if family.name == "auditor_kafka_consumer_group_condition"
        for sample in family.samples
        if sample.value == 1
    }
    assert conditions == {
        "orders-enricher": "WARN",
        "payments-sink": "STALL",
        hash_principal("billing@acme-data.example"): "UNKNOWN",
    }
    stalled = {"source": "kafka-prod", "kafka_cluster": "prod", "group": "payments-sink"}
    assert (
        registry.get_sample_value(
            "auditor_kafka_consumer_group_status", {**stalled, "status": "ERR"}
        )
        == 1
    )
    for other in ("OK", "WARN", "STOP", "REWIND", "UNKNOWN"):
        labels = {**stalled, "condition": other}
        assert registry.get_sample_value("auditor_kafka_consumer_group_condition", labels) == 0


def test_unknown_lag_is_absent_not_nan_and_principals_are_hashed() -> None:
    """A group whose time lag is unknown has no seconds sample, and its e-mail-like name is
    hashed in the label."""
    text = generate_latest(_registry(_fixed_input())).decode()
    assert "billing@acme-data.example" not in text
    hashed = hash_principal("billing@acme-data.example")
    assert hashed.startswith("sha256:") and hashed in text
    assert "NaN" not in text
    group = {"source": "kafka-prod", "kafka_cluster": "prod", "group": hashed}
    assert registry_value(group, "auditor_kafka_consumer_group_lag_seconds") is None
    assert registry_value(group, "auditor_kafka_consumer_group_lag_offsets") == 0


def registry_value(labels: dict[str, str], name: str) -> float | None:
    """One sample of the fixed input's exposition."""
    return _registry(_fixed_input()).get_sample_value(name, labels)


def test_a_vanished_group_disappears_on_the_next_scrape() -> None:
    """Metrics are rebuilt per scrape: a group no longer collected has no series any more."""
    source = _fixed_input()
    registry = _registry(source)
    labels = {"source": "kafka-prod", "kafka_cluster": "prod", "group": "orders-enricher"}
    assert registry.get_sample_value("auditor_kafka_consumer_group_lag_offsets", labels) == 1200
    source.snapshot.publish(_view("kafka-prod", "kafka", []))
    assert registry.get_sample_value("auditor_kafka_consumer_group_lag_offsets", labels) is None


def test_daemon_over_the_demo_snapshots_exports_their_numbers(tmp_path: Path) -> None:
    """A daemon cycle over the recorded Kafka snapshot exports each group's lag as recorded."""
    estate = demo_dir() / "estate" / "kafka"
    daemon = Daemon(daemon_config(tmp_path, estate), [], sinks=[])
    daemon.run_once()
    registry = _registry(
        MetricsInput(
            snapshot=daemon.snapshot,
            counts=daemon.store.finding_counts,
            open_fingerprints=daemon.store.open_fingerprints,
        )
    )
    recorded = json.loads((estate / "snapshot.json").read_text(encoding="utf-8"))
    groups = [r for r in recorded["resources"] if r["kind"] == "kafka.consumer_group"]
    assert groups
    for group in groups:
        labels = {
            "source": "gitops",
            "kafka_cluster": group["data"]["cluster"],
            "group": hash_principal(group["data"]["name"]),
        }
        assert (
            registry.get_sample_value("auditor_kafka_consumer_group_lag_offsets", labels)
            == group["data"]["lag"]
        )
    assert (
        registry.get_sample_value("auditor_source_up", {"source": "gitops", "type": "files"}) == 1
    )
    open_total = sum(
        s.value
        for metric in registry.collect()
        if metric.name == "auditor_findings_open"
        for s in metric.samples
    )
    assert open_total == len([t for t in daemon.store.findings() if t.status == "open"]) > 0
    daemon.stop()


def test_finding_info_series_are_capped_worst_first(tmp_path: Path) -> None:
    """With a limit, the worst open findings get one info series each and the rest are counted."""
    estate = demo_dir() / "estate" / "mysql"
    daemon = Daemon(daemon_config(tmp_path, estate), [], sinks=[])
    daemon.run_once()
    registry = _registry(
        MetricsInput(
            snapshot=daemon.snapshot,
            counts=daemon.store.finding_counts,
            worst_open=daemon.store.worst_open,
            finding_info_limit=3,
        )
    )
    [info] = [m for m in registry.collect() if m.name == "auditor_finding_info"]
    shown = [s.labels for s in info.samples]
    expected = daemon.store.worst_open(3)
    assert [s["fingerprint"] for s in shown] == [t.fingerprint for t in expected]
    assert shown[0]["severity"] == "critical"
    open_total = len([t for t in daemon.store.findings() if t.status == "open"])
    assert registry.get_sample_value("auditor_finding_info_omitted") == open_total - 3
    daemon.stop()
