"""Finding lifecycle: first seen, last seen, resolved, stale while a source is down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from auditor.lifecycle import LifecycleChanges
from auditor.model import FindingStatus, Severity
from auditor.outbox import OutboxMessage
from auditor.state import StateStore
from tests.unit.state.findings_factory import finding

T0 = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def _quiet(changes: LifecycleChanges) -> list[tuple[OutboxMessage, bool]]:
    return []


def test_new_then_seen_again_then_resolved() -> None:
    """A finding is new once, keeps first_seen while open, and is resolved when it disappears."""
    store = StateStore()
    lag = finding()
    first = store.record_cycle("kafka-prod", [lag], T0, source_up=True, notify=_quiet)
    assert [t.fingerprint for t in first.new] == [lag.fingerprint]
    second = store.record_cycle(
        "kafka-prod", [lag], T0 + timedelta(minutes=1), source_up=True, notify=_quiet
    )
    assert not second
    [tracked] = store.findings()
    assert tracked.first_seen == T0
    assert tracked.last_seen == T0 + timedelta(minutes=1)
    third = store.record_cycle(
        "kafka-prod", [], T0 + timedelta(minutes=2), source_up=True, notify=_quiet
    )
    assert [t.fingerprint for t in third.resolved] == [lag.fingerprint]
    assert store.findings() == []
    [resolved] = store.findings(include_resolved=True)
    assert resolved.status == "resolved"
    assert resolved.resolved_at == T0 + timedelta(minutes=2)


def test_down_source_keeps_findings_stale_and_silent() -> None:
    """While a source is down its findings are neither resolved nor announced; only its own
    source finding changes."""
    store = StateStore()
    lag = finding()
    store.record_cycle("kafka-prod", [lag], T0, source_up=True, notify=_quiet)
    down = finding(
        "auditor-source-down", "kafka-prod", kind="auditor.source", severity=Severity.HIGH
    )
    changes = store.record_cycle(
        "kafka-prod", [down], T0 + timedelta(minutes=1), source_up=False, notify=_quiet
    )
    assert [t.rule_id for t in changes.new] == ["auditor-source-down"]
    assert changes.resolved == []
    by_rule = {t.rule_id: t for t in store.findings()}
    assert by_rule["kafka-group-lagging"].stale is True
    assert by_rule["kafka-group-lagging"].last_seen == T0
    back = store.record_cycle(
        "kafka-prod", [lag], T0 + timedelta(minutes=2), source_up=True, notify=_quiet
    )
    assert back.new == []
    assert [t.rule_id for t in back.resolved] == ["auditor-source-down"]
    assert {t.rule_id: t.stale for t in store.findings()} == {"kafka-group-lagging": False}


def test_waived_findings_are_tracked_but_not_announced() -> None:
    """A waived finding is kept with its status and announced only when the waiver lapses."""
    store = StateStore()
    waived = finding(status=FindingStatus.WAIVED)
    changes = store.record_cycle("kafka-prod", [waived], T0, source_up=True, notify=_quiet)
    assert changes.new == []
    assert store.findings()[0].status == "waived"
    lapsed = store.record_cycle(
        "kafka-prod", [finding()], T0 + timedelta(days=1), source_up=True, notify=_quiet
    )
    assert [t.status for t in lapsed.new] == ["open"]


def test_sources_do_not_resolve_each_other() -> None:
    """A cycle of one source never resolves another source's findings."""
    store = StateStore()
    store.record_cycle("kafka-prod", [finding()], T0, source_up=True, notify=_quiet)
    other = store.record_cycle("mysql-prod", [], T0, source_up=True, notify=_quiet)
    assert not other
    assert len(store.findings()) == 1


def test_reopened_finding_is_new_again(tmp_path: Path) -> None:
    """A resolved finding that comes back is announced again, with a fresh first_seen."""
    store = StateStore(tmp_path / "state.db")
    lag = finding()
    store.record_cycle("kafka-prod", [lag], T0, source_up=True, notify=_quiet)
    store.record_cycle("kafka-prod", [], T0 + timedelta(minutes=1), source_up=True, notify=_quiet)
    again = store.record_cycle(
        "kafka-prod", [lag], T0 + timedelta(minutes=2), source_up=True, notify=_quiet
    )
    assert [t.first_seen for t in again.new] == [T0 + timedelta(minutes=2)]
    assert store.findings()[0].resolved_at is None


def test_failed_notify_rolls_back_the_lifecycle() -> None:
    """If building the notifications fails, the lifecycle change is not stored either."""
    store = StateStore()

    def broken(changes: LifecycleChanges) -> list[tuple[OutboxMessage, bool]]:
        raise RuntimeError("sink bug")

    with pytest.raises(RuntimeError):
        store.record_cycle("kafka-prod", [finding()], T0, source_up=True, notify=broken)
    assert store.findings() == []
    again = store.record_cycle("kafka-prod", [finding()], T0, source_up=True, notify=_quiet)
    assert len(again.new) == 1
