"""A real Kafka-protocol broker (tansu) for tests and benchmarks: the starter lives in
auditor.demo.live.kafka (the live demo starts the same broker); these names are kept for the
tests that import them."""

from auditor.demo.live.kafka import TansuBroker, tansu_binary
from auditor.demo.live.processes import free_port

__all__ = ["TansuBroker", "free_port", "tansu_binary"]
