"""Topic and cluster resources from a real Kafka's Admin API shapes: replication, ISR,
configs, PII retention and listeners."""

from __future__ import annotations

from auditor.collectors.kafka.parse import (
    config_values,
    connection_listeners,
    parse_brokers,
    parse_listeners,
    parse_topics,
    with_configs,
)
from auditor.collectors.kafka.records import ClusterRead
from auditor.collectors.kafka.resources import cluster_data, topic_data
from auditor.collectors.kafka.settings import KafkaSettings
from tests.unit.kafka.admin_shapes import (
    broker_configs,
    cluster_metadata,
    healthy,
    topic_configs,
)

SETTINGS = KafkaSettings(
    name="prod-events",
    type="kafka",
    bootstrap_servers=["kafka-0.kafka.data.svc:9093"],
    environment="production",
    security_protocol="SASL_SSL",
    sasl={"mechanism": "SCRAM-SHA-512", "username": "auditor", "password": {"env": "KAFKA_PW"}},
)


def read_of(topics: dict, configs: dict, broker_entries: dict | None = None) -> ClusterRead:
    """A ClusterRead parsed from AdminClient-shaped metadata and configs."""
    metadata = cluster_metadata(topics)
    parsed, _ = parse_topics(metadata, {}, lambda name: True)
    brokers = parse_brokers(metadata)
    listeners = []
    for broker, entries in (broker_entries or {}).items():
        listeners += parse_listeners(broker, config_values(entries))
    listeners += connection_listeners(brokers, "SASL_SSL", listeners)
    return ClusterRead(
        cluster_id=metadata.cluster_id,
        controller_id=metadata.controller_id,
        brokers=brokers,
        topics=with_configs(parsed, configs),
        groups=[],
        listeners=listeners,
        broker_configs_readable=broker_entries is not None,
        log_end={(t, p): 1000 for t, parts in topics.items() for p, *_ in parts},
        log_start={(t, p): 200 for t, parts in topics.items() for p, *_ in parts},
    )


def topic_of(read: ClusterRead, name: str) -> dict:
    """The normalised data of one topic."""
    [item] = [t for t in read.topics if t.name == name]
    return topic_data(item, read, SETTINGS, {})


def test_healthy_topic_reports_replication_and_configs() -> None:
    """Three replicas in sync, min.insync.replicas 2 from the broker default, a week's
    retention."""
    read = read_of({"orders": healthy(6)}, {"orders": topic_configs()})
    data = topic_of(read, "orders")
    assert (data["replication_factor"], data["in_sync_replicas_min"]) == (3, 3)
    assert (data["under_replicated_partitions"], data["offline_partitions"]) == (0, 0)
    assert (data["min_insync_replicas"], data["under_min_isr_partitions"]) == (2, 0)
    assert (data["retention_ms"], data["cleanup_policy"]) == (604800000, ["delete"])
    assert data["retention_unbounded"] is False
    assert (data["messages"], data["log_end_offset"]) == (4800, 6000)


def test_shrunk_isr_and_offline_leader_are_counted() -> None:
    """One partition down to one in-sync replica, one without a leader."""
    partitions = [(0, 1, [1, 2, 3], [1, 2, 3]), (1, 2, [2, 3, 1], [2]), (2, -1, [3, 1, 2], [])]
    data = topic_of(read_of({"payments": partitions}, {"payments": topic_configs()}), "payments")
    assert data["under_replicated_partitions"] == 2
    assert data["offline_partitions"] == 1
    assert data["under_min_isr_partitions"] == 2
    assert data["in_sync_replicas_min"] == 0


def test_unreadable_configs_leave_config_fields_null() -> None:
    """Configs refused: every config-derived field is null and configs_readable is false."""
    data = topic_of(read_of({"orders": healthy(1)}, {"orders": None}), "orders")
    assert data["configs_readable"] is False
    assert data["min_insync_replicas"] is None and data["under_min_isr_partitions"] is None
    assert data["retention_ms"] is None and data["retention_unbounded"] is None


def test_pii_topics_are_recognised_by_name_and_compaction_keeps_forever() -> None:
    """customers.profile matches a PII pattern; compaction without delete keeps records
    forever, as does retention.ms -1."""
    read = read_of(
        {"customers.profile": healthy(3), "users.gdpr-erasure": healthy(1), "orders": healthy(1)},
        {
            "customers.profile": topic_configs(cleanup_policy="compact"),
            "users.gdpr-erasure": topic_configs(retention_ms="-1"),
            "orders": topic_configs(),
        },
    )
    profile = topic_of(read, "customers.profile")
    assert profile["pii"] is True and profile["pii_pattern"] is not None
    assert profile["retention_unbounded"] is True
    assert topic_of(read, "users.gdpr-erasure")["retention_unbounded"] is True
    assert topic_of(read, "orders")["pii"] is False


def test_internal_topics_are_marked() -> None:
    """__consumer_offsets is internal (and judged like any topic: its replication matters)."""
    data = topic_of(read_of({"__consumer_offsets": healthy(50)}, {}), "__consumer_offsets")
    assert data["internal"] is True and data["replication_factor"] == 3


def test_cluster_lists_unencrypted_listeners_from_broker_configs() -> None:
    """PLAINTEXT listeners (inter-broker and controller) are listed; the SASL_SSL client
    listener is not; brokers whose configs were not read show the connection listener."""
    read = read_of({"orders": healthy(1)}, {}, {1: broker_configs()})
    data = cluster_data(read, SETTINGS)
    assert data["unencrypted_listeners"] == [
        "CONTROLLER://*:9094 (PLAINTEXT, broker 1)",
        "INTERNAL://*:9092 (PLAINTEXT, broker 1)",
    ]
    assert {(x["broker"], x["source"]) for x in data["listeners"]} >= {
        (2, "connection"),
        (3, "connection"),
    }
    assert (data["broker_count"], data["controller_id"]) == (3, 2)
    assert data["client_sasl_mechanism"] == "SCRAM-SHA-512"
    assert data["environment"] == "production"


def test_cluster_totals_replication_problems() -> None:
    """The cluster sums under-replicated and offline partitions over its topics."""
    partitions = [(0, 1, [1, 2, 3], [1]), (1, -1, [2, 3, 1], [])]
    data = cluster_data(read_of({"payments": partitions}, {}), SETTINGS)
    assert (data["under_replicated_partitions"], data["offline_partitions"]) == (2, 1)
