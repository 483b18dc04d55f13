"""Admin API results (confluent-kafka objects) → plain records. Pure: no I/O, no client.

Unit tests feed these functions the same objects a real Kafka's answers become, including what
the test broker cannot show (three replicas, a shrunk ISR, an offline leader, group members).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from auditor.collectors.kafka.records import (
    Broker,
    Group,
    Listener,
    Member,
    Partition,
    Topic,
    TopicPartition,
)

_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
# ConsumerGroupState names → the names Kafka's own tools print.
_GROUP_STATES = {
    "STABLE": "Stable",
    "EMPTY": "Empty",
    "DEAD": "Dead",
    "PREPARING_REBALANCING": "PreparingRebalance",
    "COMPLETING_REBALANCING": "CompletingRebalance",
    "ASSIGNING": "Assigning",
    "RECONCILING": "Reconciling",
}
_GROUP_STATES_BY_KEY = {name.upper(): name for name in _GROUP_STATES.values()} | {
    "PREPARINGREBALANCING": "PreparingRebalance",
    "COMPLETINGREBALANCING": "CompletingRebalance",
}


def error_name(error: Any) -> str | None:
    """A KafkaError's name ('LEADER_NOT_AVAILABLE'), None for no error."""
    if error is None:
        return None
    name = getattr(error, "name", None)
    return str(name()) if callable(name) else str(error)


def parse_brokers(metadata: Any) -> list[Broker]:
    """Brokers of a ClusterMetadata, by id."""
    return sorted(
        (
            Broker(id=int(b.id), host=str(b.host), port=int(b.port))
            for b in metadata.brokers.values()
        ),
        key=lambda b: b.id,
    )


def parse_topics(
    metadata: Any,
    configs: Mapping[str, Mapping[str, Any] | None],
    admits: Callable[[str], bool],
) -> tuple[list[Topic], list[str]]:
    """Topics of a ClusterMetadata with their configs; topics that errored become problems."""
    topics: list[Topic] = []
    problems: list[str] = []
    for name in sorted(metadata.topics):
        if not admits(name):
            continue
        meta = metadata.topics[name]
        if meta.error is not None:
            problems.append(f"topic {name}: {error_name(meta.error)}")
            continue
        partitions = tuple(
            Partition(
                id=int(p.id),
                leader=int(p.leader),
                replicas=tuple(map(int, p.replicas)),
                isr=tuple(map(int, p.isrs)),
                error=error_name(p.error),
            )
            for p in sorted(meta.partitions.values(), key=lambda p: p.id)
        )
        entries = configs.get(name)
        topics.append(
            Topic(
                name=name,
                partitions=partitions,
                configs=config_values(entries) if entries is not None else None,
            )
        )
    return topics, problems


def with_configs(
    topics: list[Topic], configs: Mapping[str, Mapping[str, Any] | None]
) -> list[Topic]:
    """The topics with their DescribeConfigs entries attached (None where not readable)."""
    return [
        replace(
            t,
            configs=config_values(entries)
            if (entries := configs.get(t.name)) is not None
            else None,
        )
        for t in topics
    ]


def config_values(entries: Mapping[str, Any]) -> dict[str, str]:
    """name → value of DescribeConfigs entries; sensitive entries are never kept."""
    return {
        name: str(entry.value)
        for name, entry in entries.items()
        if entry.value is not None and not entry.is_sensitive
    }


def parse_listeners(broker: int, configs: Mapping[str, str]) -> list[Listener]:
    """A broker's listeners from its `listeners` config (else `advertised.listeners`).

    A listener's protocol is its name's entry in `listener.security.protocol.map`, or the
    name itself when the name is a protocol (PLAINTEXT://:9092).
    """
    key = "listeners" if configs.get("listeners") else "advertised.listeners"
    spec = configs.get(key) or ""
    mapping = dict(
        pair.split(":", 1)
        for pair in (configs.get("listener.security.protocol.map") or "").split(",")
        if ":" in pair
    )
    listeners = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        match = re.fullmatch(r"([A-Za-z0-9_]+)://(\[[^\]]*\]|[^:]*):(\d+)", item)
        if match is None:
            continue
        name, host, port = match.group(1).upper(), match.group(2).strip("[]"), match.group(3)
        protocol = mapping.get(name, name if name in _PROTOCOLS else "UNKNOWN")
        listeners.append(
            Listener(
                broker=broker,
                name=name,
                protocol=protocol,
                host=host or None,
                port=int(port),
                source=key,
            )
        )
    return listeners


def connection_listeners(
    brokers: Iterable[Broker], protocol: str, known: Iterable[Listener]
) -> list[Listener]:
    """The listeners auditor itself connected over, where broker configs did not list them.

    Connecting proves the listener exists even when the broker configs are not readable.
    """
    seen = {(listener.broker, listener.port) for listener in known}
    return [
        Listener(
            broker=b.id,
            name=protocol,
            protocol=protocol,
            host=b.host,
            port=b.port,
            source="connection",
        )
        for b in brokers
        if (b.id, b.port) not in seen
    ]


def group_state(state: Any) -> str | None:
    """Kafka's name for a group state ('Stable', 'PreparingRebalance'); None when unknown.

    Accepts the Admin API's ConsumerGroupState and the DescribeGroups strings alike.
    """
    if state is None:
        return None
    raw = str(getattr(state, "name", state)).upper()
    return _GROUP_STATES.get(raw) or _GROUP_STATES_BY_KEY.get(raw.replace("_", ""))


def parse_assignment(data: bytes | None) -> tuple[TopicPartition, ...]:
    """The partitions in a consumer-protocol member assignment (Kafka's ConsumerProtocol:
    int16 version, then [topic: int16-length string, partitions: [int32]]).

    Anything that does not parse (another protocol's bytes) is no assignment, not an error.
    """
    if not data or len(data) < 6:
        return ()
    try:
        offset = 2
        (topics,) = struct.unpack_from(">i", data, offset)
        offset += 4
        assigned: list[TopicPartition] = []
        for _ in range(max(topics, 0)):
            (length,) = struct.unpack_from(">h", data, offset)
            offset += 2
            topic = data[offset : offset + length].decode("utf-8")
            offset += length
            (count,) = struct.unpack_from(">i", data, offset)
            offset += 4
            partitions = struct.unpack_from(f">{max(count, 0)}i", data, offset)
            offset += 4 * max(count, 0)
            assigned += [(topic, int(p)) for p in partitions]
        return tuple(assigned)
    except (struct.error, UnicodeDecodeError):
        return ()


def group_from_metadata(meta: Any) -> Group:
    """A group from the batched listing (ListGroups + DescribeGroups, GroupMetadata)."""
    protocol_type = str(meta.protocol_type or "")
    return Group(
        id=str(meta.id),
        state=group_state(meta.state),
        # Groups that only commit offsets (assign(), no group management) have no protocol type.
        simple=protocol_type == "",
        assignor=str(meta.protocol) if meta.protocol else None,
        members=tuple(
            Member(
                client_id=str(m.client_id),
                host=str(m.client_host).lstrip("/"),
                assignment=parse_assignment(m.assignment) if protocol_type == "consumer" else (),
            )
            for m in meta.members or ()
        ),
        committed=None,
    )


def group_from_admin(group_id: str, listing: Any | None, description: Any | None) -> Group:
    """A group from the per-group Admin API (ConsumerGroupListing, ConsumerGroupDescription).

    Without a description its members are unknown (None), unless the listing says the group
    cannot have any (a simple group, or one that is Empty or Dead).
    """
    state = group_state(listing.state) if listing is not None else None
    simple = bool(listing.is_simple_consumer_group) if listing is not None else None
    members: tuple[Member, ...] | None = () if simple or state in ("Empty", "Dead") else None
    assignor = None
    if description is not None:
        state = group_state(description.state) or state
        simple = bool(description.is_simple_consumer_group)
        assignor = str(description.partition_assignor) or None
        members = tuple(
            Member(
                client_id=str(m.client_id),
                host=str(m.host).lstrip("/"),
                assignment=tuple(
                    (str(tp.topic), int(tp.partition))
                    for tp in (m.assignment.topic_partitions if m.assignment else None) or ()
                ),
            )
            for m in description.members or ()
        )
    return Group(
        id=group_id,
        state=state,
        simple=simple,
        assignor=assignor,
        members=members,
        committed=None,
    )


def with_committed(
    group: Group, committed: Iterable[Any] | None
) -> tuple[Group, list[tuple[str, str]]]:
    """The group with its committed offsets (OffsetFetch TopicPartitions), and the
    (GROUP/TOPIC/PARTITION, error name) of offsets that came back with an error.

    A partition listed with a negative offset has no committed offset; one with an error is
    left out. `committed=None` (the fetch failed) leaves the offsets unknown.
    """
    if committed is None:
        return group, []
    problems: list[tuple[str, str]] = []
    offsets: dict[TopicPartition, int] = {}
    for tp in committed:
        if tp.error is not None:
            problems.append((f"{group.id}/{tp.topic}/{tp.partition}", error_name(tp.error) or "?"))
        elif tp.offset >= 0:
            offsets[(str(tp.topic), int(tp.partition))] = int(tp.offset)
    return (
        Group(  # not dataclasses.replace: 500 groups a scan, and replace() is slow
            id=group.id,
            state=group.state,
            simple=group.simple,
            assignor=group.assignor,
            members=group.members,
            committed=offsets,
        ),
        problems,
    )
