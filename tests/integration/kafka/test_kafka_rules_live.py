"""The rules on a live broker, through the engine and through the CLI end to end."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka.admin import AdminClient

from auditor.collectors.kafka import KafkaCollector
from auditor.engine.evaluate import Engine
from auditor.engine.loader import load_rules
from tests.integration.kafka.conftest import Scanner, kafka_settings
from tests.integration.kafka.tansu import TansuBroker

RULES = Path(__file__).resolve().parents[3] / "rules" / "kafka"


def test_stopped_group_finding_says_why(broker: TansuBroker, unique: str) -> None:
    """After the window is outlasted, kafka-group-stalled fires (critical in production) and
    its message carries the condition and its numbers."""
    topic, group = f"clicks.{unique}", f"sessionizer.{unique}"
    broker.create_topics({topic: 1})
    broker.commit(group, {(topic, 0): 0})
    scanner = Scanner(kafka_settings(broker))
    producer = broker.producer()
    for _ in range(5):
        broker.produce(topic, 2, producer=producer)
        resources = scanner.resources()
    engine = Engine(load_rules([RULES]).rules)
    evaluation = engine.evaluate(list(resources.values()), datetime.now(UTC))
    assert evaluation.errors == []
    [stalled] = [
        f
        for f in evaluation.findings
        if f.rule_id == "kafka-group-stalled" and f.resource.id == f"events/{group}"
    ]
    assert stalled.severity.value == "critical"
    assert "STOP on 1 of 1 partition(s)" in stalled.message
    assert "has not moved for 4m00s, longer than the 3m00s the last 4 scans span" in (
        stalled.message
    )
    found = {(f.rule_id, f.resource.id) for f in evaluation.findings}
    assert ("kafka-topic-replication-factor", f"events/{topic}") in found
    assert ("kafka-cluster-plaintext-listener", "events") in found
    scanner.close()


class _PerGroupClient:
    """The real client with the batched group listing hidden: the per-group Admin API path."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._client = AdminClient(config)

    def __getattr__(self, name: str) -> Any:
        if name == "list_groups":
            raise AttributeError(name)
        return getattr(self._client, name)


def test_per_group_admin_api_reads_the_same_groups(broker: TansuBroker, unique: str) -> None:
    """Without the batched listing, list_consumer_groups + describe give the same lag."""
    topic, group = f"refunds.{unique}", f"refunder.{unique}"
    broker.create_topics({topic: 2})
    broker.produce(topic, 5, partition=1)
    broker.commit(group, {(topic, 0): 0, (topic, 1): 2})
    settings = kafka_settings(broker, groups={"include": [unique]})
    batched, per_group = Scanner(settings), Scanner(settings)
    per_group.collector = KafkaCollector(settings, admin_factory=_PerGroupClient)
    expected = batched.group(group)
    actual = per_group.group(group)
    for field in ("lag", "committed_partitions", "partitions_without_offset", "members"):
        assert actual[field] == expected[field], field
    assert actual["lag"] == 3
    batched.close()
    per_group.close()


@pytest.mark.slow
def test_cli_scan_and_collect_read_the_kafka_source(
    broker: TansuBroker, unique: str, tmp_path: Path, auditor_cli: Callable[..., Any]
) -> None:
    """`auditor scan --source` judges the live cluster (and gates on it); `auditor collect
    --source` writes a snapshot that scans to the same Kafka findings."""
    topic = f"customers.emails.{unique}"
    broker.create_topics({topic: 1}, {topic: {"retention.ms": "-1"}})
    broker.commit(f"mailer.{unique}", {(topic, 0): 0})
    config = tmp_path / "auditor.yaml"
    config.write_text(
        f"""\
state: {{path: {tmp_path}/state.db}}
sources:
  - name: events
    type: kafka
    bootstrap_servers: ["{broker.bootstrap}"]
    environment: production
    topics: {{include: ["{unique}"]}}
    groups: {{include: ["{unique}"]}}
""",
        encoding="utf-8",
    )
    scan = auditor_cli("scan", "--config", str(config), "--source", "events", "--format", "json")
    assert scan.code == 1, scan.stderr
    report = json.loads(scan.stdout)
    rules = {f["rule_id"] for f in report["findings"]}
    assert {"kafka-topic-pii-retention", "kafka-cluster-plaintext-listener"} <= rules

    snapshot = tmp_path / "snap.json"
    collect = auditor_cli(
        "collect", "--config", str(config), "--source", "events", "-o", str(snapshot)
    )
    assert collect.code == 0, collect.stderr
    rescan = auditor_cli("scan", str(snapshot), "--format", "json", "--fail-on", "none")
    assert rescan.code == 0, rescan.stderr
    assert {f["rule_id"] for f in json.loads(rescan.stdout)["findings"]} >= rules - {
        "auditor-source-down"
    }
