"""SIGKILL between collection and notification, or inside the cycle's transaction, loses
nothing and announces nothing twice after a restart."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.state import StateStore

# One daemon-like cycle in a child process: record findings, enqueue one Slack message per
# change, then die where the test says: after the commit, inside the transaction, or not at all.
CYCLE = r"""
import os, signal, sys
from datetime import datetime, UTC
from auditor.outbox import OutboxMessage
from auditor.state import StateStore
sys.path.insert(0, os.getcwd())
from tests.unit.state.findings_factory import finding

path, minute, ids, die = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
at = datetime(2026, 11, 26, 6, minute, tzinfo=UTC)
store = StateStore(__import__("pathlib").Path(path))

def notify(changes):
    if die == "in-transaction":
        os.kill(os.getpid(), signal.SIGKILL)
    if not changes:
        return []
    payload = {"new": sorted(t.rule_id for t in changes.new),
               "resolved": sorted(t.rule_id for t in changes.resolved)}
    key = f"slack:{changes.source}:{changes.at.isoformat()}"
    return [(OutboxMessage("slack", key, payload), False)]

found = [finding(rule_id=r) for r in ids.split(",") if r]
store.record_cycle("kafka-prod", found, at, source_up=True, notify=notify)
if die == "after-commit":
    os.kill(os.getpid(), signal.SIGKILL)
store.close()
"""


def _cycle(path: Path, minute: int, rules: str, die: str) -> int:
    completed = subprocess.run(
        [sys.executable, "-c", CYCLE, str(path), str(minute), rules, die],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode in (0, -signal.SIGKILL), completed.stderr
    return completed.returncode


def _deliver_all(path: Path) -> list[dict[str, list[str]]]:
    """Deliver what is due, the way the daemon's notifier does after a restart."""
    store = StateStore(path)
    sent = []
    for entry in store.due("slack", datetime(2100, 1, 1, tzinfo=UTC)):
        sent.append(entry.payload)
        store.mark_delivered(entry, datetime.now(UTC))
    store.close()
    return sent


@pytest.mark.slow
def test_kill_after_commit_delivers_once_after_restart(tmp_path: Path) -> None:
    """Killed after recording but before notifying: the restart sends it once, later cycles
    do not announce the same findings again."""
    db = tmp_path / "state.db"
    assert _cycle(db, 0, "lag,replica-stopped", "after-commit") == -signal.SIGKILL
    assert _deliver_all(db) == [{"new": ["lag", "replica-stopped"], "resolved": []}]
    assert _cycle(db, 1, "lag,replica-stopped", "no") == 0
    assert _deliver_all(db) == []
    assert _cycle(db, 2, "lag", "after-commit") == -signal.SIGKILL
    assert _deliver_all(db) == [{"new": [], "resolved": ["replica-stopped"]}]
    store = StateStore(db)
    tracked = {t.rule_id: t for t in store.findings(include_resolved=True)}
    assert tracked["lag"].first_seen == datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
    assert tracked["lag"].last_seen == datetime(2026, 11, 26, 6, 2, tzinfo=UTC)
    assert tracked["replica-stopped"].resolved_at == datetime(2026, 11, 26, 6, 2, tzinfo=UTC)


@pytest.mark.slow
def test_kill_inside_the_cycle_transaction_loses_nothing(tmp_path: Path) -> None:
    """Killed mid-transaction: nothing of the cycle is stored, so the next cycle announces it
    exactly once; a killed resolve is likewise not lost."""
    db = tmp_path / "state.db"
    assert _cycle(db, 0, "lag", "in-transaction") == -signal.SIGKILL
    assert StateStore(db).findings() == []
    assert _cycle(db, 1, "lag", "no") == 0
    assert _deliver_all(db) == [{"new": ["lag"], "resolved": []}]
    assert _cycle(db, 2, "", "in-transaction") == -signal.SIGKILL
    assert [t.status for t in StateStore(db).findings()] == ["open"]
    assert _cycle(db, 3, "", "no") == 0
    assert _deliver_all(db) == [{"new": [], "resolved": ["lag"]}]
