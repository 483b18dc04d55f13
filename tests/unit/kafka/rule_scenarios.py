"""Scenarios behind the rule cases of rules/kafka (see rule_cases.py): each builds
AdminClient-shaped answers, and for groups a series of scans on an explicit clock, and returns
the data the collector's own normaliser makes of them."""

from __future__ import annotations

from typing import Any

from auditor.collectors.kafka.parse import (
    config_values,
    connection_listeners,
    parse_brokers,
    parse_listeners,
    parse_topics,
    with_configs,
)
from auditor.collectors.kafka.records import ClusterRead, Member
from auditor.collectors.kafka.resources import cluster_data, topic_data
from auditor.collectors.kafka.settings import KafkaSettings
from tests.unit.kafka.admin_shapes import (
    broker_configs,
    cluster_metadata,
    healthy,
    topic_configs,
)
from tests.unit.kafka.scans import Scanner, group, settings, topic

Data = dict[str, Any]

# --- consumer groups: scans of the `orders` topic, a minute apart ------------------------

ORDERS = topic("orders", 3)
ALL = range(3)


def _scans(rounds: list[tuple[dict[int, int], dict[int, int]]], **kwargs: Any) -> Data:
    """Group `etl` after scans of (log end, committed) per partition; its final data."""
    members = kwargs.pop("members", ())
    state = kwargs.pop("state", "Empty")
    scanner = Scanner(settings(), **kwargs)
    for ends, committed in rounds:
        resources = scanner.scan(
            [ORDERS],
            {("orders", p): e for p, e in ends.items()},
            [group("etl", {("orders", p): c for p, c in committed.items()}, members, state)],
        )
    return resources["prod-events/etl"].data


def caught_up() -> Data:
    """Keeping up: every scan ends with the group at the log end."""
    return _scans([(dict.fromkeys(ALL, 100 + 20 * i),) * 2 for i in range(5)])


def stopped() -> Data:
    """Partition 0's offset never moves while records arrive: STOP after the window."""
    rounds = []
    for i in range(6):
        end = 100 + 30 * i
        rounds.append((dict.fromkeys(ALL, end), {0: 90, 1: end, 2: end}))
    return _scans(rounds)


def stalled_member() -> Data:
    """A live member holds partition 1 and its offset never moves: STALL."""
    member = Member("etl-7f9c", "10.12.3.44", (("orders", 0), ("orders", 1), ("orders", 2)))
    rounds = [
        (dict.fromkeys(ALL, 500 + 25 * i), {0: 500 + 25 * i, 1: 480, 2: 500 + 25 * i})
        for i in range(6)
    ]
    return _scans(rounds, members=[member], state="Stable")


def rewound() -> Data:
    """Partition 2's offset goes back from 400 to 100 and stays there: REWIND."""
    rounds = []
    for i in range(4):
        committed = 400 if i < 2 else 100
        rounds.append(({0: 420, 1: 420, 2: 420}, {0: 420, 1: 420, 2: committed}))
    return _scans(rounds)


def falling_behind() -> Data:
    """Partition 0 moves but slower than producers: WARN."""
    rounds = [({0: 100 + 40 * i, 1: 50, 2: 50}, {0: 90 + 20 * i, 1: 50, 2: 50}) for i in range(4)]
    return _scans(rounds)


def twenty_minutes_behind() -> Data:
    """Scans ten minutes apart; offset 150 was written 17.5 minutes before the last scan."""
    rounds = [
        ({0: 100, 1: 10, 2: 10}, {0: 100, 1: 10, 2: 10}),
        ({0: 300, 1: 10, 2: 10}, {0: 100, 1: 10, 2: 10}),
        ({0: 300, 1: 10, 2: 10}, {0: 150, 1: 10, 2: 10}),
    ]
    return _scans(rounds, step_minutes=10)


def first_scan_lagging() -> Data:
    """Behind on the very first scan: the time lag cannot be dated yet (null)."""
    return _scans([({0: 900, 1: 900, 2: 900}, {0: 100, 1: 900, 2: 900})])


def never_committed() -> Data:
    """Two live members, no committed offset anywhere."""
    members = [
        Member("reporting-1", "10.12.5.9", (("orders", 0), ("orders", 1))),
        Member("reporting-2", "10.12.5.10", (("orders", 2),)),
    ]
    scanner = Scanner(settings())
    resources = scanner.scan(
        [ORDERS], dict.fromkeys((("orders", p) for p in ALL), 70),
        [group("etl", {}, members, "Stable")],
    )  # fmt: skip
    return resources["prod-events/etl"].data


def offsets_denied() -> Data:
    """The group's offsets could not be read (GROUP_AUTHORIZATION_FAILED)."""
    scanner = Scanner(settings())
    resources = scanner.scan([ORDERS], {("orders", 0): 70}, [group("etl", None, None, "Stable")])
    return resources["prod-events/etl"].data


def behind_retention() -> Data:
    """Partition 1's committed offset is below the log start: deleted unread."""
    scanner = Scanner(settings())
    resources = scanner.scan(
        [ORDERS],
        dict.fromkeys((("orders", p) for p in ALL), 9000),
        [group("etl", {("orders", 0): 9000, ("orders", 1): 1200, ("orders", 2): 8990})],
        log_start=dict.fromkeys((("orders", p) for p in ALL), 4000),
    )
    return resources["prod-events/etl"].data


# --- topics and the cluster: a three-broker Kafka's Admin API answers -------------------

PRODUCTION = KafkaSettings(
    name="prod-events",
    type="kafka",
    bootstrap_servers=["kafka-0.kafka.data.svc:9093"],
    environment="production",
    security_protocol="SASL_SSL",
    sasl={"mechanism": "SCRAM-SHA-512", "username": "auditor", "password": {"env": "KAFKA_PW"}},
)


def _read(
    topics: dict[str, Any],
    configs: dict[str, Any],
    brokers: dict[int, Any] | None = None,
    client_protocol: str = "SASL_SSL",
) -> ClusterRead:
    metadata = cluster_metadata(topics)
    parsed, _ = parse_topics(metadata, {}, lambda name: True)
    listeners = []
    for broker, entries in (brokers or {}).items():
        listeners += parse_listeners(broker, config_values(entries))
    listeners += connection_listeners(parse_brokers(metadata), client_protocol, listeners)
    return ClusterRead(
        cluster_id=metadata.cluster_id,
        controller_id=metadata.controller_id,
        brokers=parse_brokers(metadata),
        topics=with_configs(parsed, configs),
        groups=[],
        listeners=listeners,
        broker_configs_readable=brokers is not None,
        log_end={(t, p): 52_000 for t, parts in topics.items() for p, *_ in parts},
        log_start={(t, p): 31_000 for t, parts in topics.items() for p, *_ in parts},
    )


def _topic(name: str, partitions: list[Any], **configs: str) -> Data:
    read = _read({name: partitions}, {name: topic_configs(**configs)})
    return topic_data(read.topics[0], read, PRODUCTION, {"etl": 120})


def three_replicas() -> Data:
    """orders: six partitions, three replicas each, all in sync, min ISR 2."""
    return _topic("orders", healthy(6))


def one_replica() -> Data:
    """mysql.cdc.inventory: created with replication factor 1."""
    return _topic("mysql.cdc.inventory", healthy(3, replicas=1), min_insync_replicas="1")


def two_replicas_pii() -> Data:
    """customers.profile-updates: two replicas, and its name marks it as PII."""
    return _topic("customers.profile-updates", healthy(3, replicas=2), min_insync_replicas="1")


def min_isr_one() -> Data:
    """payments: three replicas but min.insync.replicas 1."""
    return _topic("payments", healthy(3), min_insync_replicas="1")


def min_isr_three() -> Data:
    """ledger: min.insync.replicas equal to the replication factor (3)."""
    return _topic("ledger", healthy(3), min_insync_replicas="3")


def configs_unreadable() -> Data:
    """clickstream: its configs were refused (TOPIC_AUTHORIZATION_FAILED)."""
    read = _read({"clickstream": healthy(3)}, {"clickstream": None})
    return topic_data(read.topics[0], read, PRODUCTION, {})


def shrunk_isr() -> Data:
    """storefront.events: partition 1 down to one in-sync replica (below min ISR 2)."""
    return _topic(
        "storefront.events",
        [(0, 1, [1, 2, 3], [1, 2, 3]), (1, 2, [2, 3, 1], [2]), (2, 3, [3, 1, 2], [3, 1])],
    )


def leaderless() -> Data:
    """shipments: partition 2 has no leader."""
    return _topic(
        "shipments",
        [(0, 1, [1, 2, 3], [1, 2, 3]), (1, 2, [2, 3, 1], [2, 3, 1]), (2, -1, [3, 1, 2], [])],
    )


def pii_ninety_days() -> Data:
    """customers.addresses: PII kept 90 days."""
    return _topic("customers.addresses", healthy(3), retention_ms=str(90 * 86_400_000))


def pii_compacted() -> Data:
    """users.profile: PII on a compacted topic, kept forever."""
    return _topic("users.profile", healthy(3), cleanup_policy="compact")


def pii_forever() -> Data:
    """gdpr.erasure-requests: retention.ms -1."""
    return _topic("gdpr.erasure-requests", healthy(1), retention_ms="-1")


def pii_seven_days() -> Data:
    """customers.events: PII kept the default seven days."""
    return _topic("customers.events", healthy(3))


def _cluster(settings: KafkaSettings, **kwargs: Any) -> Data:
    return cluster_data(_read({"orders": healthy(3)}, {}, **kwargs), settings)


def production_plaintext() -> Data:
    """Brokers with PLAINTEXT inter-broker and controller listeners beside SASL_SSL."""
    return _cluster(PRODUCTION, brokers={b: broker_configs() for b in (1, 2, 3)})


def production_tls_only() -> Data:
    """Every listener SASL_SSL or SSL."""
    configs = broker_configs(
        listeners="INTERNAL://:9092,CLIENTS://:9093",
        protocol_map="INTERNAL:SSL,CLIENTS:SASL_SSL",
        advertised="CLIENTS://kafka-0.kafka.data.svc:9093",
    )
    return _cluster(PRODUCTION, brokers={b: configs for b in (1, 2, 3)})


def production_controller_plaintext() -> Data:
    """TLS everywhere except the KRaft CONTROLLER listener."""
    configs = broker_configs(
        listeners="INTERNAL://:9092,CLIENTS://:9093,CONTROLLER://:9094",
        protocol_map="INTERNAL:SSL,CLIENTS:SASL_SSL,CONTROLLER:PLAINTEXT",
    )
    return _cluster(PRODUCTION, brokers={b: configs for b in (1, 2, 3)})


def production_connected_plaintext() -> Data:
    """Broker configs not readable, but auditor itself connected over PLAINTEXT."""
    plain = PRODUCTION.model_copy(
        update={
            "security_protocol": "PLAINTEXT",
            "sasl": None,
            "bootstrap_servers": ["kafka-0:9092"],
        }
    )
    return _cluster(plain, client_protocol="PLAINTEXT")


def staging_plaintext() -> Data:
    """A staging cluster with PLAINTEXT listeners."""
    staging = PRODUCTION.model_copy(update={"environment": "staging", "name": "staging-events"})
    return _cluster(staging, brokers={b: broker_configs() for b in (1, 2, 3)})
