"""The `kafka` source: brokers, topics, consumer groups and lag, read with the Kafka Admin API.

See docs/sources/kafka.md (settings, grants) and docs/resource-kinds/kafka.md (what it yields).
"""

from __future__ import annotations

from auditor.collectors.kafka.collector import KafkaCollector
from auditor.collectors.kafka.settings import KafkaSettings

settings_model = KafkaSettings


def create_collector(settings: KafkaSettings) -> KafkaCollector:
    """The collector for `settings`."""
    return KafkaCollector(settings)


__all__ = ["KafkaCollector", "KafkaSettings", "create_collector", "settings_model"]
