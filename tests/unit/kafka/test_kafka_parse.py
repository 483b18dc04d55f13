"""Admin API results → records, on the shapes a real three-broker Kafka returns."""

from __future__ import annotations

from types import SimpleNamespace

from confluent_kafka import ConsumerGroupState, KafkaError, Node, TopicPartition
from confluent_kafka.admin import (
    ConsumerGroupDescription,
    ConsumerGroupListing,
    MemberAssignment,
    MemberDescription,
)

from auditor.collectors.kafka.parse import (
    config_values,
    connection_listeners,
    group_from_admin,
    group_from_metadata,
    group_state,
    parse_assignment,
    parse_brokers,
    parse_listeners,
    parse_topics,
    with_committed,
    with_configs,
)
from auditor.collectors.kafka.records import Broker, Member
from tests.unit.kafka.admin_shapes import (
    assignment,
    broker_configs,
    cluster_metadata,
    committed,
    group_metadata,
    healthy,
    topic_configs,
)


def test_brokers_and_partitions_keep_replicas_isr_and_leader() -> None:
    """A shrunk ISR is under-replicated; a partition without a leader is offline."""
    metadata = cluster_metadata(
        {
            "orders": [
                (0, 1, [1, 2, 3], [1, 2, 3]),
                (1, 2, [2, 3, 1], [2]),
                (2, -1, [3, 1, 2], []),
            ],
        },
        errors={("orders", 2): KafkaError.LEADER_NOT_AVAILABLE},
    )
    assert [b.id for b in parse_brokers(metadata)] == [1, 2, 3]
    [orders], problems = parse_topics(metadata, {}, lambda name: True)
    assert problems == []
    first, second, third = orders.partitions
    assert (first.under_replicated, first.offline) == (False, False)
    assert (second.under_replicated, second.isr) == (True, (2,))
    assert third.offline and third.error == "LEADER_NOT_AVAILABLE"
    assert orders.configs is None


def test_topics_filter_and_topic_errors() -> None:
    """Excluded topics are skipped; a topic the broker refuses becomes a problem."""
    metadata = cluster_metadata({"orders": healthy(3), "__consumer_offsets": healthy(50)})
    metadata.topics["orders"].error = KafkaError(KafkaError.TOPIC_AUTHORIZATION_FAILED)
    topics, problems = parse_topics(metadata, {}, lambda name: not name.startswith("__"))
    assert topics == []
    assert problems == ["topic orders: TOPIC_AUTHORIZATION_FAILED"]


def test_configs_keep_values_and_never_sensitive_ones() -> None:
    """Config values are kept by name; sensitive entries are dropped even with a value."""
    values = config_values(broker_configs())
    assert values["min.insync.replicas"] == "2"
    assert "ssl.keystore.password" not in values
    assert not any("jaas" in name for name in values)


def test_with_configs_tells_unreadable_from_empty() -> None:
    """A topic whose configs were refused has None; one with no entries has {}."""
    metadata = cluster_metadata({"a": healthy(1), "b": healthy(1), "c": healthy(1)})
    topics, _ = parse_topics(metadata, {}, lambda name: True)
    attached = with_configs(topics, {"a": topic_configs(retention_ms="-1"), "b": {}, "c": None})
    assert [t.configs is not None for t in attached] == [True, True, False]
    assert attached[0].configs is not None and attached[0].configs["retention.ms"] == "-1"


def test_listeners_take_their_protocol_from_the_security_map() -> None:
    """Named listeners resolve through listener.security.protocol.map."""
    listeners = parse_listeners(1, config_values(broker_configs()))
    assert [(x.name, x.protocol, x.port, x.encrypted) for x in listeners] == [
        ("INTERNAL", "PLAINTEXT", 9092, False),
        ("CLIENTS", "SASL_SSL", 9093, True),
        ("CONTROLLER", "PLAINTEXT", 9094, False),
    ]
    assert all(x.source == "listeners" and x.host is None for x in listeners)


def test_listeners_named_after_their_protocol_and_ipv6_hosts() -> None:
    """PLAINTEXT://[::1]:9092 needs no map; advertised.listeners stands in for listeners."""
    [listener] = parse_listeners(2, {"advertised.listeners": "PLAINTEXT://[::1]:9092"})
    assert (listener.protocol, listener.host, listener.source) == (
        "PLAINTEXT",
        "::1",
        "advertised.listeners",
    )


def test_connection_listeners_fill_in_where_configs_are_unknown() -> None:
    """The listener auditor connected over is listed for brokers whose configs are unread."""
    brokers = [Broker(1, "kafka-0", 9093), Broker(2, "kafka-1", 9093)]
    known = parse_listeners(1, config_values(broker_configs()))
    added = connection_listeners(brokers, "SASL_SSL", known)
    assert [(x.broker, x.protocol, x.source) for x in added] == [(2, "SASL_SSL", "connection")]


def test_assignment_bytes_decode_to_partitions() -> None:
    """The Java client's Assignment encoding decodes to (topic, partition) pairs."""
    data = assignment({"orders": [0, 2], "payments": [1]})
    assert parse_assignment(data) == (("orders", 0), ("orders", 2), ("payments", 1))
    assert parse_assignment(b"\x00\x01garbage") == ()
    assert parse_assignment(None) == ()


def test_group_from_the_batched_listing_has_state_members_and_assignments() -> None:
    """DescribeGroups output: Kafka's state name, members with hosts and partitions."""
    meta = group_metadata("etl-orders", "Stable", [("etl-1", "10.0.0.7", {"orders": [0, 1]})])
    group = group_from_metadata(meta)
    assert (group.state, group.simple, group.assignor) == ("Stable", False, "cooperative-sticky")
    assert group.members == (Member("etl-1", "10.0.0.7", (("orders", 0), ("orders", 1))),)
    assert group.holders()[("orders", 1)].client_id == "etl-1"


def test_offsets_only_groups_are_simple_with_no_members() -> None:
    """A group that only commits offsets (assign()) has no protocol type: simple, empty."""
    group = group_from_metadata(group_metadata("backfill", "Empty", protocol_type="", protocol=""))
    assert (group.simple, group.members, group.assignor) == (True, (), None)


def test_group_from_the_per_group_api() -> None:
    """ConsumerGroupDescription members and assignments become the same records."""
    description = ConsumerGroupDescription(
        "etl-orders",
        False,
        [
            MemberDescription(
                "m-1", "etl-1", "/10.0.0.7", MemberAssignment([TopicPartition("orders", 0)])
            )
        ],
        "range",
        ConsumerGroupState.STABLE,
        Node(2, "kafka-1", 9093),
    )
    listing = ConsumerGroupListing("etl-orders", False, ConsumerGroupState.STABLE)
    group = group_from_admin("etl-orders", listing, description)
    assert (group.state, group.assignor) == ("Stable", "range")
    assert group.members == (Member("etl-1", "10.0.0.7", (("orders", 0),)),)


def test_undescribed_groups_have_unknown_members_unless_they_cannot_have_any() -> None:
    """No description: members unknown (None), but an Empty or simple group has none."""
    stable = ConsumerGroupListing("a", False, ConsumerGroupState.STABLE)
    empty = ConsumerGroupListing("b", False, ConsumerGroupState.EMPTY)
    assert group_from_admin("a", stable, None).members is None
    assert group_from_admin("b", empty, None).members == ()


def test_group_states_from_either_api_read_alike() -> None:
    """ConsumerGroupState values and DescribeGroups strings give Kafka's state names."""
    assert group_state(ConsumerGroupState.PREPARING_REBALANCING) == "PreparingRebalance"
    assert group_state("CompletingRebalance") == "CompletingRebalance"
    assert group_state(ConsumerGroupState.UNKNOWN) is None
    assert group_state(None) is None


def test_committed_offsets_skip_partitions_without_offset() -> None:
    """-1001 means no committed offset: the partition is left out, not lag 0."""
    group = group_from_metadata(group_metadata("etl", "Empty"))
    read, problems = with_committed(group, committed({("orders", 0): 42, ("orders", 1): -1001}))
    assert read.committed == {("orders", 0): 42}
    assert problems == []
    assert with_committed(group, None)[0].committed is None


def test_partition_errors_in_offset_fetch_are_problems() -> None:
    """An OffsetFetch partition error is reported (TopicPartition.error is read-only in the
    Python client, so the answer is an object with the same attributes)."""
    group = group_from_metadata(group_metadata("etl", "Empty"))
    refused = SimpleNamespace(
        topic="orders",
        partition=3,
        offset=-1001,
        error=KafkaError(KafkaError.UNSTABLE_OFFSET_COMMIT),
    )
    read, problems = with_committed(group, [refused])
    assert read.committed == {}
    assert problems == [("etl/orders/3", "UNSTABLE_OFFSET_COMMIT")]
