"""The outbox: enqueued with the lifecycle change, delivered once, retried on schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from auditor.lifecycle import LifecycleChanges
from auditor.outbox import OutboxMessage
from auditor.state import StateStore
from tests.unit.state.findings_factory import finding

T0 = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def _one_per_change(changes: LifecycleChanges) -> list[tuple[OutboxMessage, bool]]:
    if not changes:
        return []
    key = f"slack:{changes.source}:{changes.at.isoformat()}"
    payload = {"new": [t.fingerprint for t in changes.new]}
    return [(OutboxMessage(sink="slack", key=key, payload=payload), False)]


def test_message_is_due_until_delivered() -> None:
    """A message waits in the outbox until marked delivered, then never comes back."""
    store = StateStore()
    store.record_cycle("kafka-prod", [finding()], T0, source_up=True, notify=_one_per_change)
    [entry] = store.due("slack", T0)
    assert entry.payload == {"new": [finding().fingerprint]}
    store.mark_delivered(entry, T0)
    assert store.due("slack", T0 + timedelta(hours=1)) == []
    assert store.pending() == 0


def test_failed_message_waits_for_its_retry_time() -> None:
    """A failed attempt is counted and the message is not due before its retry time."""
    store = StateStore()
    store.record_cycle("kafka-prod", [finding()], T0, source_up=True, notify=_one_per_change)
    [entry] = store.due("slack", T0)
    store.mark_failed(entry, T0 + timedelta(seconds=30), "HTTP 503")
    assert store.due("slack", T0 + timedelta(seconds=29)) == []
    [again] = store.due("slack", T0 + timedelta(seconds=30))
    assert (again.attempts, again.last_error) == (1, "HTTP 503")


def test_same_key_is_enqueued_once(tmp_path: Path) -> None:
    """Enqueueing a key that already exists (even delivered) adds nothing."""
    store = StateStore(tmp_path / "s.db")
    message = OutboxMessage(sink="slack", key="k1", payload={"n": 1})
    for _ in range(2):
        store.record_cycle(
            "kafka-prod", [], T0, source_up=True, notify=lambda _c: [(message, False)]
        )
    assert store.pending("slack") == 1


def test_replace_pending_keeps_only_the_newest_state() -> None:
    """A whole-state sink (Alertmanager) keeps only its newest undelivered message."""
    store = StateStore()
    for minute in range(3):
        message = OutboxMessage(sink="alertmanager", key=f"am:{minute}", payload={"m": minute})
        store.record_cycle(
            "kafka-prod",
            [],
            T0 + timedelta(minutes=minute),
            source_up=True,
            notify=lambda _c, m=message: [(m, True)],
        )
    [entry] = store.due("alertmanager", T0 + timedelta(hours=1))
    assert entry.payload == {"m": 2}


def test_prune_forgets_old_delivered_and_resolved() -> None:
    """Pruning drops delivered messages and resolved findings older than the cut-off only."""
    store = StateStore()
    store.record_cycle("kafka-prod", [finding()], T0, source_up=True, notify=_one_per_change)
    store.mark_delivered(store.due("slack", T0)[0], T0)
    store.record_cycle(
        "kafka-prod", [], T0 + timedelta(minutes=1), source_up=True, notify=_one_per_change
    )
    store.prune(T0 + timedelta(seconds=30))
    assert store.findings(include_resolved=True)[0].status == "resolved"
    assert store.pending("slack") == 1
    store.prune(T0 + timedelta(days=8))
    assert store.findings(include_resolved=True) == []
