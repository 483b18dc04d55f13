"""A broker that dies or hangs, and credentials that fail: a down source, never a crash,
and never a secret in what is reported."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from auditor.collectors.runner import SOURCE_KIND
from tests.integration.kafka.conftest import Scanner, kafka_settings
from tests.integration.kafka.tansu import TansuBroker

PASSWORD = "Tr0ub4dor-and-3-kafka"


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[TansuBroker]:
    """A broker this test may kill or pause."""
    started = TansuBroker(tmp_path / "tansu.log").start()
    try:
        yield started
    finally:
        if started.process is not None:
            os.kill(started.process.pid, signal.SIGCONT)
        started.stop()


def test_broker_killed_between_collections_is_a_down_source(own_broker: TansuBroker) -> None:
    """Up, then the broker dies: the next collection is down (unreachable), with only the
    auditor.source resource, and the collector keeps working when a broker is back."""
    own_broker.create_topics({"orders": 1})
    own_broker.commit("etl", {("orders", 0): 0})
    scanner = Scanner(kafka_settings(own_broker, timeout_seconds=10, request_timeout_seconds=3))
    assert scanner.collect().health.up
    own_broker.stop()
    down = scanner.collect()
    assert not down.health.up
    assert down.error_kind in ("unreachable", "timeout")
    assert [r.kind for r in down.resources] == [SOURCE_KIND]
    assert down.resources[0].data["error_kind"] == down.error_kind
    scanner.close()


def test_broker_that_hangs_mid_run_times_out_and_recovers(own_broker: TansuBroker) -> None:
    """A paused broker accepts connections but never answers: timeout, then up again."""
    assert own_broker.process is not None
    own_broker.create_topics({"orders": 1})
    scanner = Scanner(kafka_settings(own_broker, timeout_seconds=4, request_timeout_seconds=2))
    assert scanner.collect().health.up
    os.kill(own_broker.process.pid, signal.SIGSTOP)
    try:
        hung = scanner.collect()
    finally:
        os.kill(own_broker.process.pid, signal.SIGCONT)
    assert not hung.health.up
    assert hung.error_kind in ("timeout", "unreachable")
    assert scanner.collect().health.up
    scanner.close()


def test_failed_sasl_never_shows_the_password(
    broker: TansuBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SASL against a listener that does not speak it fails cleanly; the password appears in
    no error, resource or log line."""
    monkeypatch.setenv("KAFKA_TEST_PASSWORD", PASSWORD)
    settings = kafka_settings(
        broker,
        timeout_seconds=6,
        request_timeout_seconds=3,
        security_protocol="SASL_PLAINTEXT",
        sasl={
            "mechanism": "PLAIN",
            "username": "auditor",
            "password": {"env": "KAFKA_TEST_PASSWORD"},
        },
    )
    scanner = Scanner(settings)
    with structlog.testing.capture_logs() as logs:
        result = scanner.collect()
    assert not result.health.up
    everything = json.dumps(
        [result.health.error, [r.data for r in result.resources], logs], default=str
    )
    assert PASSWORD not in everything
    scanner.close()


def test_collection_never_creates_topics(broker: TansuBroker, unique: str) -> None:
    """Asking this broker about an unknown topic creates it; the collector never does."""
    broker.create_topics({f"known.{unique}": 1})
    before = set(broker.admin().list_topics(timeout=5).topics)
    scanner = Scanner(kafka_settings(broker, topics={"include": [unique]}))
    scanner.resources()
    assert set(broker.admin().list_topics(timeout=5).topics) == before
    scanner.close()
