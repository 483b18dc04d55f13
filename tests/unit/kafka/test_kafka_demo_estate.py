"""The demo estate's Kafka snapshot (recorded from a real broker by
tests/integration/kafka/demo_snapshot.py): current fields, and the planted problems found."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from auditor.engine.evaluate import Engine
from auditor.engine.loader import load_rules
from auditor.snapshot import read_snapshot
from tests.unit.kafka.test_kafka_contracts import LISTS, documented_fields

REPO = Path(__file__).resolve().parents[3]
SNAPSHOT = REPO / "auditor" / "demo" / "estate" / "kafka" / "snapshot.json"
NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def _resources() -> list:
    document = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return read_snapshot(SNAPSHOT, document).resources


def test_demo_snapshot_has_exactly_the_documented_fields() -> None:
    """Re-record the snapshot when the normaliser's fields change."""
    documented = documented_fields()
    kafka = [r for r in _resources() if r.kind.startswith("kafka.")]
    assert {r.kind for r in kafka} == {"kafka.cluster", "kafka.topic", "kafka.consumer_group"}
    for resource in kafka:
        assert set(resource.data) == documented[resource.kind], resource.id
        for name in LISTS.get(resource.kind, ()):
            for item in resource.data[name]:
                assert set(item) == documented[f"{resource.kind}.{name}"]


def test_demo_findings_are_the_planted_problems() -> None:
    """The stopped sessionizer, the rewound indexer, the slow loader, PII kept too long,
    one replica everywhere and PLAINTEXT in production; the CDC consumer is healthy."""
    evaluation = Engine(load_rules([REPO / "rules" / "kafka"]).rules).evaluate(_resources(), NOW)
    assert evaluation.errors == []
    found = {(f.rule_id, f.resource.id.split("/", 1)[-1]) for f in evaluation.findings}
    assert {
        ("kafka-group-stalled", "storefront-sessionizer"),
        ("kafka-group-stalled", "search-indexer"),
        ("kafka-group-lag-seconds", "storefront-sessionizer"),
        ("kafka-group-lag-growing", "warehouse-loader"),
        ("kafka-topic-pii-retention", "customers.profile"),
        ("kafka-topic-pii-retention", "customers.addresses"),
        ("kafka-topic-replication-factor", "mysql.cdc.shop.orders"),
        ("kafka-cluster-plaintext-listener", "acme-events"),
    } <= found
    assert not any("etl-orders" in resource for _, resource in found)
