"""Slack sink against a real local webhook receiver: grouping, limits, 429, 5xx, hangs,
pacing, and exactly-once delivery across a restart."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.collectors.secrets import SecretRef
from auditor.config import SlackNotifications
from auditor.daemon.service import Daemon
from auditor.daemon.sinks import CycleNotice
from auditor.lifecycle import TrackedFinding
from auditor.model import Severity
from exporters.slack import MAX_BLOCKS, MAX_SECTION_TEXT, SlackSink
from tests.unit.daemon.estate import daemon_config, write_estate
from tests.unit.exporters.webhook_receiver import webhook_receiver

T0 = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
ENV = "AUDITOR_TEST_SLACK_WEBHOOK"


def _tracked(index: int, severity: str = "high", message: str = "lag 1200") -> TrackedFinding:
    return TrackedFinding(
        fingerprint=f"fp{index:04d}",
        source="kafka-prod",
        rule_id="kafka-group-lag-seconds",
        kind="kafka.consumer_group",
        severity=severity,
        category="freshness",
        status="open",
        first_seen=T0,
        last_seen=T0,
        resolved_at=None,
        stale=False,
        body={
            "resource": {"kind": "kafka.consumer_group", "id": f"prod/group-{index}"},
            "message": message,
            "remediation": "Scale the consumers.\nMore detail.",
            "evidence": {"lag_seconds": 95.5, "status": "WARN"},
        },
    )


def _sink(url_env: str = ENV, min_severity: Severity = Severity.HIGH) -> SlackSink:
    return SlackSink(
        SlackNotifications(
            webhook_url=SecretRef(env=url_env),
            min_severity=min_severity,
            runbook_base_url="https://runbooks.example/auditor",
            timeout_seconds=1,
        )
    )


def test_one_grouped_message_with_rule_resource_numbers_fix_and_runbook() -> None:
    """New and resolved findings at or above the floor become one message; milder ones stay out."""
    notice = CycleNotice(
        source="kafka-prod",
        at=T0,
        new=[_tracked(1), _tracked(2, severity="low")],
        resolved=[_tracked(3, severity="critical")],
    )
    [message] = _sink().payloads(notice)
    assert message["text"] == "auditor · kafka-prod: 1 new, 1 resolved"
    sections = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    assert len(sections) == 2
    assert "*NEW*" in sections[0] and "lag_seconds=95.5" in sections[0]
    assert "Fix: Scale the consumers." in sections[0]
    assert (
        "<https://runbooks.example/auditor/rules/kafka-group-lag-seconds.md|Runbook>" in sections[0]
    )
    assert "*RESOLVED*" in sections[1] and "prod/group-3" in sections[1]
    assert _sink().payloads(CycleNotice(source="k", at=T0, new=[_tracked(4, "low")])) == []


def test_large_cycles_are_split_within_block_kit_limits() -> None:
    """120 findings with long messages split into messages of at most 50 blocks and sections
    of at most 3000 characters."""
    notice = CycleNotice(
        source="kafka-prod", at=T0, new=[_tracked(i, message="x<&>" * 2000) for i in range(120)]
    )
    messages = _sink().payloads(notice)
    assert len(messages) == 3
    assert messages[0]["text"].endswith("(1/3)")
    total = 0
    for message in messages:
        assert len(message["blocks"]) <= MAX_BLOCKS
        for block in message["blocks"]:
            if block["type"] == "section":
                total += 1
                assert len(block["text"]["text"]) <= MAX_SECTION_TEXT
                assert "<&>" not in block["text"]["text"]
    assert total == 120


def test_answers_map_to_retry_decisions_without_leaking_the_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """429 gives its Retry-After, 500 and a hang are retried, 400 is given up; the webhook
    URL never appears in an error."""
    with webhook_receiver() as receiver:
        monkeypatch.setenv(ENV, receiver.url)
        receiver.script = ["429:7", "500", "hang", "400", "ok"]
        sink = _sink()
        payload = {"text": "t", "blocks": []}
        limited = sink.deliver(payload)
        assert (limited.ok, limited.retry_after) == (False, 7.0)
        failed = sink.deliver(payload)
        assert (failed.ok, failed.permanent, failed.retry_after) == (False, False, None)
        hung = sink.deliver(payload)
        assert not hung.ok and not hung.permanent
        rejected = sink.deliver(payload)
        assert rejected.permanent
        assert sink.deliver(payload).ok
        for outcome in (limited, failed, hung, rejected):
            assert "s3cr3t" not in outcome.error and str(receiver.port) not in outcome.error
        gaps = [b - a for a, b in zip(receiver.times, receiver.times[1:], strict=False)]
        # At most one post per second per webhook: the next starts a second after the last
        # one finished, so arrivals are a second apart however slow the network is.
        assert all(gap >= 0.99 for gap in gaps)


def test_missing_secret_is_a_failed_delivery_not_a_crash() -> None:
    """A webhook secret that is not set fails the delivery with a message naming where."""
    outcome = _sink(url_env="AUDITOR_TEST_NOT_SET").deliver({"text": "t", "blocks": []})
    assert not outcome.ok and "AUDITOR_TEST_NOT_SET" in outcome.error


@pytest.mark.slow
def test_daemon_delivers_once_across_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message the webhook refused (500) is delivered by the restarted daemon exactly once,
    and later cycles post nothing new."""
    with webhook_receiver() as receiver:
        monkeypatch.setenv(ENV, receiver.url)
        receiver.script = ["500"]
        estate = write_estate(tmp_path)
        config = daemon_config(tmp_path, estate)
        config = config.model_copy(
            update={
                "daemon": config.daemon.model_copy(
                    update={
                        "notifications": config.daemon.notifications.model_copy(
                            update={
                                "slack": SlackNotifications(
                                    webhook_url=SecretRef(env=ENV), min_severity=Severity.LOW
                                )
                            }
                        )
                    }
                )
            }
        )
        first = Daemon(config, [])
        first.run_once()
        assert receiver.posts and first.store.pending("slack") == 1
        refused = len(receiver.posts)
        first.stop()
        later = datetime(2100, 1, 1, tzinfo=UTC)
        second = Daemon(config, [], now=lambda: later)
        second.run_once()
        second.run_once()
        assert len(receiver.posts) == refused + 1
        assert receiver.posts[-1] == receiver.posts[0]
        assert second.store.pending("slack") == 0
        second.stop()
