"""Refused parts become problems, a lost cluster a down source: never a crash.

The test broker grants everything, so refusals come from a stand-in for the client that
answers with the client library's own result objects and KafkaErrors, as a real cluster
with ACLs answers the Admin API calls the collector makes.
"""

from __future__ import annotations

import concurrent.futures
from datetime import UTC, datetime
from typing import Any

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import ListOffsetsResultInfo

from auditor.collectors.base import CollectorContext
from auditor.collectors.kafka import KafkaCollector, KafkaSettings
from auditor.collectors.runner import SOURCE_KIND, run_collection
from auditor.state import HistoryStore
from tests.unit.kafka.admin_shapes import (
    broker_configs,
    cluster_metadata,
    committed,
    group_metadata,
    healthy,
    topic_configs,
)

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def _done(value: Any = None, error: int | None = None) -> concurrent.futures.Future[Any]:
    future: concurrent.futures.Future[Any] = concurrent.futures.Future()
    if error is not None:
        future.set_exception(KafkaException(KafkaError(error)))
    else:
        future.set_result(value)
    return future


class AclCluster:
    """Answers like a cluster whose ACLs deny some describes (`lose` drops the connection
    after the metadata call)."""

    def __init__(self, config: dict[str, Any], lose: bool = False) -> None:
        self.config = config
        self.lose = lose
        self.metadata = cluster_metadata({"orders": healthy(2), "payments": healthy(1)})

    def list_topics(self, timeout: float) -> Any:
        return self.metadata

    def list_offsets(self, request: dict[Any, Any], request_timeout: float) -> dict[Any, Any]:
        if self.lose:
            return {tp: _done(error=KafkaError._TRANSPORT) for tp in request}
        return {tp: _done(ListOffsetsResultInfo(50, -1, 0)) for tp in request}

    def describe_configs(self, resources: list[Any], request_timeout: float) -> dict[Any, Any]:
        answers = {}
        for resource in resources:
            if resource.name == "payments":
                answers[resource] = _done(error=KafkaError.TOPIC_AUTHORIZATION_FAILED)
            elif resource.name.isdigit():
                answers[resource] = _done(error=KafkaError.CLUSTER_AUTHORIZATION_FAILED)
            else:
                answers[resource] = _done(topic_configs())
        return answers

    def list_groups(self, timeout: float) -> list[Any]:
        return [group_metadata("etl", "Empty"), group_metadata("fraud", "Empty")]

    def list_consumer_group_offsets(
        self, request: list[Any], request_timeout: float
    ) -> dict[str, Any]:
        group_id = request[0].group_id
        if group_id == "fraud":
            return {group_id: _done(error=KafkaError.GROUP_AUTHORIZATION_FAILED)}
        answer = type("Answer", (), {"topic_partitions": committed({("orders", 0): 40})})
        return {group_id: _done(answer)}

    def poll(self, timeout: float) -> int:
        return 0


SETTINGS = KafkaSettings(name="prod-events", type="kafka", bootstrap_servers=["kafka-0:9093"])


def _collect(lose: bool = False) -> Any:
    collector = KafkaCollector(SETTINGS, admin_factory=lambda config: AclCluster(config, lose))
    context = CollectorContext(now=lambda: NOW, history=HistoryStore())
    return run_collection("prod-events", "kafka", collector, context, timeout_seconds=10)


def test_denied_describes_are_problems_and_the_rest_is_read() -> None:
    """Topic configs, broker configs and one group's offsets denied: the source is up, each
    refusal is a problem line naming the error, and the affected fields say unknown."""
    result = _collect()
    assert result.health.up
    assert result.problems == [
        "broker configs not read for 3 (CLUSTER_AUTHORIZATION_FAILED): broker 1, broker 2, broker 3",
        "committed offsets not read for 1 (GROUP_AUTHORIZATION_FAILED): fraud",
        "topic configs not read for 1 (TOPIC_AUTHORIZATION_FAILED): payments",
    ]
    by_id = {r.id: r.data for r in result.resources if r.kind != SOURCE_KIND}
    assert by_id["prod-events/fraud"]["offsets_readable"] is False
    assert by_id["prod-events/etl"]["lag"] == 10
    assert by_id["prod-events/payments"]["configs_readable"] is False
    assert by_id["prod-events/orders"]["min_insync_replicas"] == 2
    assert by_id["prod-events"]["broker_configs_readable"] is False
    [source] = [r for r in result.resources if r.kind == SOURCE_KIND]
    assert source.data["up"] is True and len(source.data["problems"]) == 3


def test_connection_lost_mid_collection_is_a_down_source() -> None:
    """Metadata answered, then the offsets fail with a transport error: down, unreachable."""
    result = _collect(lose=True)
    assert not result.health.up
    assert result.error_kind == "unreachable"
    assert result.health.error.startswith("log-end offsets: _TRANSPORT")
    assert [r.kind for r in result.resources] == [SOURCE_KIND]


def test_sensitive_broker_configs_never_reach_resources() -> None:
    """Even readable broker configs carry no sensitive value into any resource."""
    entries = broker_configs()
    assert entries["ssl.keystore.password"].is_sensitive
    result = _collect()
    assert "ScramLoginModule" not in repr([r.data for r in result.resources])
