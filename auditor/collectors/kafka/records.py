"""What one read of a cluster returned, as plain records (no client objects past parse.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

TopicPartition = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Broker:
    """A broker as the cluster metadata lists it."""

    id: int
    host: str
    port: int


@dataclass(frozen=True, slots=True)
class Listener:
    """One listener of a broker: its name, security protocol and address."""

    broker: int | None
    name: str
    protocol: str
    host: str | None
    port: int | None
    source: str  # 'advertised.listeners', 'listeners' or 'connection' (what auditor used)

    @property
    def encrypted(self) -> bool:
        """TLS on the wire (SASL alone authenticates but does not encrypt)."""
        return self.protocol in ("SSL", "SASL_SSL")


@dataclass(frozen=True, slots=True)
class Partition:
    """One partition's placement: leader (-1 when offline), replicas and in-sync replicas."""

    id: int
    leader: int
    replicas: tuple[int, ...]
    isr: tuple[int, ...]
    error: str | None = None

    @property
    def offline(self) -> bool:
        """No leader: nobody can produce to or consume from it."""
        return self.leader < 0 or self.error == "LEADER_NOT_AVAILABLE"

    @property
    def under_replicated(self) -> bool:
        """Fewer in-sync replicas than assigned replicas."""
        return len(self.isr) < len(self.replicas)


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic's partitions and its configuration (None when it could not be read)."""

    name: str
    partitions: tuple[Partition, ...]
    configs: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Member:
    """A live member of a consumer group and the partitions assigned to it."""

    client_id: str
    host: str
    assignment: tuple[TopicPartition, ...]


@dataclass(frozen=True, slots=True)
class Group:
    """A consumer group: how it is listed and described, and its committed offsets.

    `members` is None when the group could not be described; `committed` is None when its
    offsets could not be read (both then show up as problems, never as "no members").
    """

    id: str
    state: str | None
    simple: bool | None
    assignor: str | None
    members: tuple[Member, ...] | None
    committed: Mapping[TopicPartition, int] | None

    def holders(self) -> dict[TopicPartition, Member]:
        """Which live member holds each assigned partition."""
        return {tp: m for m in self.members or () for tp in m.assignment}


@dataclass(slots=True)
class ClusterRead:
    """Everything one collection read; `problems` lists the parts that could not be read."""

    cluster_id: str | None
    controller_id: int | None
    brokers: list[Broker]
    topics: list[Topic]
    groups: list[Group]
    listeners: list[Listener]
    broker_configs_readable: bool
    log_end: dict[TopicPartition, int] = field(default_factory=dict)
    log_start: dict[TopicPartition, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
