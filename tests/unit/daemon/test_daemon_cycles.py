"""Daemon cycles: lifecycle per source, stale sources, exactly-once notifications, gating."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from auditor.daemon.service import Daemon, gate_exit_code
from auditor.daemon.sinks import CycleNotice, Delivery
from auditor.model import Severity
from tests.unit.daemon.estate import daemon_config, write_estate


class RecordingSink:
    """A sink that keeps what it is asked to deliver and can be told to fail."""

    name = "recorder"
    replace_pending = False

    def __init__(self, answers: list[Delivery] | None = None) -> None:
        self.delivered: list[dict[str, Any]] = []
        self.answers = list(answers or [])

    def payloads(self, notice: CycleNotice) -> list[dict[str, Any]]:
        """One message per cycle with changes."""
        if not (notice.new or notice.resolved):
            return []
        return [
            {
                "new": sorted(f.rule_id for f in notice.new),
                "resolved": sorted(f.rule_id for f in notice.resolved),
            }
        ]

    def deliver(self, payload: dict[str, Any]) -> Delivery:
        """Answer with the next scripted outcome, else succeed."""
        answer = self.answers.pop(0) if self.answers else Delivery(ok=True)
        if answer.ok:
            self.delivered.append(payload)
        return answer

    def close(self) -> None:
        """Nothing to close."""


def test_once_records_findings_and_gates(tmp_path: Path) -> None:
    """One cycle stores the estate's findings; the gate fails on high and passes on none."""
    config = daemon_config(tmp_path, write_estate(tmp_path))
    daemon = Daemon(config, [], sinks=[])
    outcomes = daemon.run_once()
    tracked = daemon.store.findings()
    assert tracked and {t.source for t in tracked} == {"gitops"}
    assert all(t.status == "open" and not t.stale for t in tracked)
    assert gate_exit_code(outcomes, Severity.HIGH) == 1
    assert gate_exit_code(outcomes, None) == 0
    assert daemon.ready() == (True, "ready")
    daemon.stop()


def test_down_source_keeps_findings_stale_and_unannounced(tmp_path: Path) -> None:
    """When the source fails its findings stay open but stale, its resources are kept stale,
    only 'source down' is announced, and recovery resolves just that."""
    estate = write_estate(tmp_path)
    sink = RecordingSink()
    daemon = Daemon(daemon_config(tmp_path, estate), [], sinks=[sink])
    daemon.run_once()
    first = {t.fingerprint for t in daemon.store.findings()}
    manifest = estate / "kafka-ui.yaml"
    saved = manifest.read_text(encoding="utf-8")
    manifest.unlink()
    estate.rmdir()
    daemon.run_once()
    tracked = daemon.store.findings()
    kept = [t for t in tracked if t.fingerprint in first]
    assert len(kept) == len(first) and all(t.stale and t.status == "open" for t in kept)
    [view] = daemon.snapshot.views()
    assert view.stale and not view.health.up and view.errors_total == 1
    assert any(r.kind == "k8s.workload" for r in view.resources)
    assert sink.delivered[-1] == {"new": ["auditor-source-down"], "resolved": []}
    estate.mkdir()
    manifest.write_text(saved, encoding="utf-8")
    daemon.run_once()
    assert sink.delivered[-1] == {"new": [], "resolved": ["auditor-source-down"]}
    assert not any(t.stale for t in daemon.store.findings())
    assert len(sink.delivered) == 3
    daemon.stop()


def test_undelivered_messages_survive_a_restart_and_go_out_once(tmp_path: Path) -> None:
    """A message the first process could not deliver is sent by the next one, exactly once,
    and the restarted daemon does not announce the same findings again."""
    estate = write_estate(tmp_path)
    failing = RecordingSink([Delivery(ok=False, error="HTTP 503", retry_after=0)])
    first = Daemon(daemon_config(tmp_path, estate), [], sinks=[failing])
    first.run_once()
    assert failing.delivered == []
    assert first.store.pending() == 1
    first.stop()
    sink = RecordingSink()
    second = Daemon(daemon_config(tmp_path, estate), [], sinks=[sink])
    second.run_once()
    second.run_once()
    [message] = sink.delivered
    assert len(message["new"]) == len(second.store.findings()) > 0
    assert second.store.pending() == 0
    second.stop()


def test_retry_after_holds_the_message_back(tmp_path: Path) -> None:
    """A 429-style answer keeps the message until its Retry-After time has passed."""
    sink = RecordingSink([Delivery(ok=False, error="HTTP 429", retry_after=3600)])
    daemon = Daemon(daemon_config(tmp_path, write_estate(tmp_path)), [], sinks=[sink])
    daemon.run_once()
    daemon.deliverer.deliver_due()
    assert sink.delivered == []
    assert daemon.store.pending("recorder") == 1
    assert daemon.deliverer.failed == {"recorder": 1}
    daemon.stop()


def test_followers_hold_then_drop_without_sending(tmp_path: Path) -> None:
    """A replica that does not hold the lease sends nothing; it keeps its messages for the
    hold period (a failover then sends them) and drops them after."""
    clock = [datetime(2026, 11, 26, 7, 0, tzinfo=UTC)]
    sink = RecordingSink()
    daemon = Daemon(
        daemon_config(tmp_path, write_estate(tmp_path)), [], sinks=[sink], now=lambda: clock[0]
    )
    daemon.deliverer.is_leader = lambda: False
    daemon.run_once()
    assert sink.delivered == [] and daemon.store.pending("recorder") == 1
    clock[0] += daemon.deliverer.follower_hold + timedelta(seconds=1)
    daemon.deliverer.deliver_due()
    assert sink.delivered == [] and daemon.store.pending("recorder") == 0
    daemon.stop()


def test_findings_of_a_removed_source_are_forgotten(tmp_path: Path) -> None:
    """A source taken out of the config leaves no findings behind after a restart."""
    estate = write_estate(tmp_path)
    config = daemon_config(tmp_path, estate)
    first = Daemon(config, [], sinks=[])
    first.run_once()
    assert first.store.findings()
    first.stop()
    renamed = config.sources[0].model_copy(update={"name": "gitops-v2"})
    second = Daemon(config.model_copy(update={"sources": [renamed]}), [], sinks=[])
    assert second.store.findings() == []
    second.stop()


class RaisingSink(RecordingSink):
    """A sink with a bug: every delivery raises, with a secret in the text."""

    name = "broken"

    def deliver(self, payload: dict[str, Any]) -> Delivery:
        raise RuntimeError("https://hooks.example/T000/B000/s3cr3t unreachable")


def test_a_sink_that_raises_fails_alone(tmp_path: Path) -> None:
    """A sink whose delivery raises keeps its message for a retry; the sinks after it still
    deliver that round, and the exception's text (which may hold a URL) is not kept."""
    after = RecordingSink()
    daemon = Daemon(
        daemon_config(tmp_path, write_estate(tmp_path)), [], sinks=[RaisingSink(), after]
    )
    daemon.run_once()
    assert len(after.delivered) == 1
    assert daemon.store.pending("broken") == 1
    assert daemon.deliverer.failed["broken"] == 1
    daemon.stop()
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("state.db*"))
    assert b"sink raised RuntimeError" in stored
    assert b"s3cr3t" not in stored
