"""A cluster read → `kafka.cluster`, `kafka.topic` and `kafka.consumer_group` resources. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from auditor.collectors.kafka.groups import GROUP_KIND
from auditor.collectors.kafka.records import ClusterRead, Listener, Topic
from auditor.collectors.kafka.settings import KafkaSettings
from auditor.model import Resource

CLUSTER_KIND = "kafka.cluster"
TOPIC_KIND = "kafka.topic"


def build_resources(
    read: ClusterRead, groups: Mapping[str, dict[str, Any]], settings: KafkaSettings, now: datetime
) -> list[Resource]:
    """Every resource of one collection, given each group's data (groups.group_data)."""
    cluster = settings.cluster_name
    consumers: dict[str, dict[str, int]] = {}
    for name, data in groups.items():
        for entry in data["topics"]:
            consumers.setdefault(entry["topic"], {})[name] = entry["lag"]

    def resource(kind: str, name: str | None, data: dict[str, Any]) -> Resource:
        return Resource(
            kind=kind,
            id=f"{cluster}/{name}" if name is not None else cluster,
            source=settings.name,
            scope=cluster,
            data=data,
            observed_at=now,
        )

    resources = [resource(CLUSTER_KIND, None, cluster_data(read, settings))]
    resources += [
        resource(
            TOPIC_KIND,
            t.name,
            topic_data(t, read, settings, consumers.get(t.name, {})),
        )
        for t in read.topics
    ]
    resources += [resource(GROUP_KIND, name, groups[name]) for name in sorted(groups)]
    return resources


def _int(configs: Mapping[str, str] | None, key: str) -> int | None:
    value = (configs or {}).get(key)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def topic_data(
    topic: Topic, read: ClusterRead, settings: KafkaSettings, consumers: Mapping[str, int]
) -> dict[str, Any]:
    """The normalised data of one topic (docs/resource-kinds/kafka.md)."""
    configs = topic.configs
    parts = topic.partitions
    min_isr = _int(configs, "min.insync.replicas")
    retention_ms = _int(configs, "retention.ms")
    policy_text = (configs or {}).get("cleanup.policy")
    policy = [p.strip() for p in policy_text.split(",") if p.strip()] if policy_text else None
    unbounded = None
    if policy is not None or retention_ms is not None:
        unbounded = (policy is not None and "delete" not in policy) or (
            retention_ms is not None and retention_ms < 0
        )
    pii_pattern = next(
        (p for p in settings.pii_topic_patterns if re.search(p, topic.name, re.IGNORECASE)), None
    )
    ends = [read.log_end.get((topic.name, p.id)) for p in parts]
    starts = [read.log_start.get((topic.name, p.id)) for p in parts]
    known_ends = [e for e in ends if e is not None]
    return {
        "name": topic.name,
        "cluster": settings.cluster_name,
        "environment": settings.environment,
        "internal": topic.name.startswith("__"),
        "partitions": len(parts),
        "replication_factor": min((len(p.replicas) for p in parts), default=None),
        "in_sync_replicas_min": min((len(p.isr) for p in parts), default=None),
        "under_replicated_partitions": sum(1 for p in parts if p.under_replicated),
        "offline_partitions": sum(1 for p in parts if p.offline),
        "under_min_isr_partitions": (
            sum(1 for p in parts if len(p.isr) < min_isr) if min_isr is not None else None
        ),
        "min_insync_replicas": min_isr,
        "retention_ms": retention_ms,
        "retention_bytes": _int(configs, "retention.bytes"),
        "cleanup_policy": policy,
        "retention_unbounded": unbounded,
        "configs_readable": configs is not None,
        "pii": pii_pattern is not None,
        "pii_pattern": pii_pattern,
        "log_end_offset": sum(known_ends) if known_ends and len(known_ends) == len(ends) else None,
        "messages": (
            sum(e - s for e, s in zip(ends, starts, strict=True) if e is not None and s is not None)
            if parts and all(e is not None for e in ends) and all(s is not None for s in starts)
            else None
        ),
        "consumer_groups": sorted(consumers),
        "max_consumer_lag": max(consumers.values(), default=0),
    }


def cluster_data(read: ClusterRead, settings: KafkaSettings) -> dict[str, Any]:
    """The normalised data of the cluster (docs/resource-kinds/kafka.md)."""
    listeners = [
        {
            "broker": item.broker,
            "name": item.name,
            "protocol": item.protocol,
            "host": item.host,
            "port": item.port,
            "encrypted": item.encrypted,
            "source": item.source,
        }
        for item in read.listeners
    ]
    return {
        "name": settings.cluster_name,
        "cluster_id": read.cluster_id,
        "environment": settings.environment,
        "bootstrap_servers": list(settings.bootstrap_servers),
        "client_security_protocol": settings.security_protocol,
        "client_sasl_mechanism": settings.sasl.mechanism if settings.sasl else None,
        "brokers": [{"id": b.id, "host": b.host, "port": b.port} for b in read.brokers],
        "broker_count": len(read.brokers),
        "controller_id": read.controller_id,
        "listeners": listeners,
        "unencrypted_listeners": _listener_texts([x for x in read.listeners if not x.encrypted]),
        "broker_configs_readable": read.broker_configs_readable,
        "topics": len(read.topics),
        "consumer_groups": len(read.groups),
        "under_replicated_partitions": sum(
            1 for t in read.topics for p in t.partitions if p.under_replicated
        ),
        "offline_partitions": sum(1 for t in read.topics for p in t.partitions if p.offline),
    }


def _listener_texts(listeners: list[Listener]) -> list[str]:
    """INTERNAL://*:9092 (PLAINTEXT, brokers 1, 2, 3): one line per listener across brokers,
    the protocol named only when the listener's name does not say it."""
    brokers: dict[tuple[str, str, str], list[str]] = {}
    for item in listeners:
        protocol = f"{item.protocol}, " if item.protocol != item.name else ""
        key = (f"{item.name}://{item.host or '*'}:{item.port}", protocol, "")
        brokers.setdefault(key, []).append(str(item.broker))
    return [
        f"{address} ({protocol}broker{'s' if len(ids) > 1 else ''} {', '.join(ids)})"
        for (address, protocol, _), ids in sorted(brokers.items())
    ]
