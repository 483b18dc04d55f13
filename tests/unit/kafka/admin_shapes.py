"""confluent-kafka Admin API results shaped as a real three-broker Kafka 3.7 returns them.

The test broker (tansu) has one broker, replicas and ISR always [111], no broker configs and no
group members; these builders make the real client's own result classes with what a real
cluster answers, so the parsers are tested on the objects they will meet in production.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence

from confluent_kafka import KafkaError, TopicPartition
from confluent_kafka.admin import (
    BrokerMetadata,
    ClusterMetadata,
    ConfigEntry,
    ConfigSource,
    GroupMember,
    GroupMetadata,
    PartitionMetadata,
    TopicMetadata,
)

BROKERS = [
    (1, "kafka-0.kafka.data.svc", 9093),
    (2, "kafka-1.kafka.data.svc", 9093),
    (3, "kafka-2.kafka.data.svc", 9093),
]

PartitionShape = tuple[int, int, Sequence[int], Sequence[int]]  # id, leader, replicas, isr


def cluster_metadata(
    topics: Mapping[str, Sequence[PartitionShape]],
    *,
    brokers: Sequence[tuple[int, str, int]] = BROKERS,
    controller: int = 2,
    cluster_id: str = "q1Sh-9_ISia_zwGINzRvyQ",
    errors: Mapping[tuple[str, int], int] | None = None,
) -> ClusterMetadata:
    """A Metadata response: brokers, controller, topics and their partitions."""
    metadata = ClusterMetadata()
    metadata.cluster_id = cluster_id
    metadata.controller_id = controller
    for broker_id, host, port in brokers:
        broker = BrokerMetadata()
        broker.id, broker.host, broker.port = broker_id, host, port
        metadata.brokers[broker_id] = broker
    for name, partitions in topics.items():
        topic = TopicMetadata()
        topic.topic = name
        for pid, leader, replicas, isr in partitions:
            partition = PartitionMetadata()
            partition.id, partition.leader = pid, leader
            partition.replicas, partition.isrs = list(replicas), list(isr)
            code = (errors or {}).get((name, pid))
            partition.error = KafkaError(code) if code is not None else None
            topic.partitions[pid] = partition
        metadata.topics[name] = topic
    return metadata


def healthy(partitions: int, replicas: int = 3) -> list[PartitionShape]:
    """Partitions spread over the brokers, every replica in sync."""
    shapes: list[PartitionShape] = []
    for pid in range(partitions):
        assigned = [(pid + i) % 3 + 1 for i in range(replicas)]
        shapes.append((pid, assigned[0], assigned, assigned))
    return shapes


# What DescribeConfigs returns for a topic on Kafka 3.7 (a subset of its ~35 entries).
TOPIC_DEFAULTS = {
    "cleanup.policy": ("delete", ConfigSource.DEFAULT_CONFIG),
    "retention.ms": ("604800000", ConfigSource.DEFAULT_CONFIG),
    "retention.bytes": ("-1", ConfigSource.DEFAULT_CONFIG),
    "min.insync.replicas": ("2", ConfigSource.STATIC_BROKER_CONFIG),
    "segment.bytes": ("1073741824", ConfigSource.DEFAULT_CONFIG),
    "compression.type": ("producer", ConfigSource.DEFAULT_CONFIG),
    "unclean.leader.election.enable": ("false", ConfigSource.DEFAULT_CONFIG),
}


def topic_configs(**overrides: str) -> dict[str, ConfigEntry]:
    """A topic's configs: the defaults above with per-topic overrides (dots as underscores)."""
    entries = {}
    for name, (value, source) in TOPIC_DEFAULTS.items():
        override = overrides.get(name.replace(".", "_"))
        if override is not None:
            value, source = override, ConfigSource.DYNAMIC_TOPIC_CONFIG
        entries[name] = ConfigEntry(name, value, source=source, is_default=False)
    return entries


def broker_configs(
    listeners: str = "INTERNAL://:9092,CLIENTS://:9093,CONTROLLER://:9094",
    protocol_map: str = "INTERNAL:PLAINTEXT,CLIENTS:SASL_SSL,CONTROLLER:PLAINTEXT",
    advertised: str = "INTERNAL://kafka-0.kafka.data.svc:9092,CLIENTS://kafka-0.kafka.data.svc:9093",
) -> dict[str, ConfigEntry]:
    """A broker's configs, sensitive entries included as the broker returns them (no value)."""
    static = ConfigSource.STATIC_BROKER_CONFIG
    values = {
        "listeners": listeners,
        "advertised.listeners": advertised,
        "listener.security.protocol.map": protocol_map,
        "inter.broker.listener.name": "INTERNAL",
        "min.insync.replicas": "2",
        "log.retention.hours": "168",
    }
    entries = {name: ConfigEntry(name, value, source=static) for name, value in values.items()}
    entries["ssl.keystore.password"] = ConfigEntry(
        "ssl.keystore.password", None, source=static, is_sensitive=True
    )
    entries["listener.name.clients.scram-sha-512.sasl.jaas.config"] = ConfigEntry(
        "listener.name.clients.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;",
        source=static,
        is_sensitive=True,
    )
    return entries


def assignment(partitions: Mapping[str, Sequence[int]], version: int = 3) -> bytes:
    """A consumer-protocol Assignment as the Java client encodes it (user data null)."""
    data = struct.pack(">hi", version, len(partitions))
    for topic, ids in partitions.items():
        name = topic.encode("utf-8")
        data += struct.pack(">h", len(name)) + name + struct.pack(">i", len(ids))
        data += b"".join(struct.pack(">i", p) for p in ids)
    return data + struct.pack(">i", -1)


def group_metadata(
    group_id: str,
    state: str,
    members: Sequence[tuple[str, str, Mapping[str, Sequence[int]]]] = (),
    *,
    protocol_type: str = "consumer",
    protocol: str = "cooperative-sticky",
    error: int | None = None,
) -> GroupMetadata:
    """A group as ListGroups + DescribeGroups describe it (members: client id, host, assignment)."""
    group = GroupMetadata()
    group.id, group.state = group_id, state
    group.protocol_type, group.protocol = protocol_type, protocol
    group.error = KafkaError(error) if error is not None else None
    for index, (client_id, host, assigned) in enumerate(members):
        member = GroupMember()
        member.id = f"{client_id}-{index}-5f1c1f0e-2b7a-4a6e-9d0b-1f2e3d4c5b6a"
        member.client_id, member.client_host = client_id, f"/{host}"
        member.metadata = b""
        member.assignment = assignment(assigned)
        group.members.append(member)
    return group


def committed(offsets: Mapping[tuple[str, int], int]) -> list[TopicPartition]:
    """OffsetFetch answers: the committed offset per partition (-1001 = none)."""
    return [TopicPartition(t, p, o) for (t, p), o in offsets.items()]
