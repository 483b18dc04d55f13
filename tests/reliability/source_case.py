"""The uniform checks of a source cell: fault on, cycles, what health and the lifecycle say;
fault off, what recovery says; and what the Slack receiver was told, counted."""

from __future__ import annotations

import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from auditor.lifecycle import TrackedFinding
from tests.reliability.harness import SOURCE_KIND, DaemonUnderTest, slack_changes
from tests.unit.exporters.webhook_receiver import Receiver

DOWN, PARTIAL = "auditor-source-down", "auditor-source-partial"
Told = Counter[tuple[str, str, str, str]]


@dataclass(frozen=True)
class SourceFault:
    """How to break a source and mend it, and what the daemon should say meanwhile.

    `partial`: False — the source must be down (auditor_source_up 0, auditor-source-down);
    True — it must stay up, read in part (auditor-source-partial); None — either, depending on
    how far the collection got before the fault bit (the contract is the same otherwise).
    """

    apply: Callable[[], None]
    clear: Callable[[], None]
    error_kinds: tuple[str, ...] = ()  # acceptable error classes of a down source
    partial: bool | None = False
    cycles: int = 1  # failed cycles before recovery
    # Wait this long after mending before the recovery cycle (a gRPC channel backs off ~1 s
    # before it reconnects, answers held back by a delay drain): a daemon's next cycle is a
    # minute away, a test's is not.
    reconnect_seconds: float = 0.0


def check_source_fault(
    daemon: DaemonUnderTest, receiver: Receiver, source: str, fault: SourceFault
) -> str:
    """Run one fault through a running daemon; assert the contract; return what was seen."""
    daemon.ensure_up(source)
    known = daemon.open_findings(source)
    assert known, f"{source} has no findings to lose: the case would prove nothing"
    told_before = slack_changes(receiver)
    fault.apply()
    try:
        daemon.cycle(fault.cycles)
        rule, during = _during(daemon, source, fault, known)
    finally:
        fault.clear()
        time.sleep(fault.reconnect_seconds)
        daemon.cycle()  # recovery (also after a failed check, so the next case starts clean)
    after = _after(daemon, source, rule, known)
    return _told(receiver, told_before, source, rule, known, f"{during}; {after}")


def check_down_at_start(
    running: DaemonUnderTest,
    start: Callable[[Path], AbstractContextManager[DaemonUnderTest]],
    root: Path,
    receiver: Receiver,
    source: str,
    fault: SourceFault,
) -> str:
    """A daemon that knew the source's findings (the running one's state store, copied as a
    restart would find it) starts while the source is down: they stay stale (not resolved,
    not re-announced); recovery makes them fresh."""
    running.ensure_up(source)
    known = running.open_findings(source)
    assert known, f"{source} has no findings to lose: the case would prove nothing"
    root.mkdir(parents=True, exist_ok=True)
    live, copy = sqlite3.connect(running.state_path), sqlite3.connect(root / "state.db")
    try:
        live.backup(copy)
    finally:
        live.close()
        copy.close()
    told_before = slack_changes(receiver)
    fault.apply()
    try:
        with start(root) as second:  # its first cycle meets the fault
            try:
                second.cycle(fault.cycles - 1)
                rule, during = _during(second, source, fault, known)
            finally:
                fault.clear()
                time.sleep(fault.reconnect_seconds)
                second.cycle()
            after = _after(second, source, rule, known)
    finally:
        fault.clear()
    return _told(receiver, told_before, source, rule, known, f"{during}; {after}")


def run_source_cell(
    fault_name: str,
    faults: dict[str, SourceFault],
    daemon: DaemonUnderTest,
    start: Callable[[Path], AbstractContextManager[DaemonUnderTest]],
    root: Path,
    receiver: Receiver,
    source: str,
) -> str:
    """One cell: `down_at_start` starts a second daemon (in `root`, from a copy of the running
    one's state) into the fault; the other faults hit the running daemon."""
    if fault_name == "down_at_start":
        return check_down_at_start(daemon, start, root, receiver, source, faults[fault_name])
    return check_source_fault(daemon, receiver, source, faults[fault_name])


def _during(
    daemon: DaemonUnderTest, source: str, fault: SourceFault, known: dict[str, TrackedFinding]
) -> tuple[str, str]:
    """The contract while the fault lasts; returns the source rule raised and a summary."""
    assert daemon.status("/healthz") == 200
    ready = daemon.status("/readyz")
    assert ready == 200
    up = daemon.metric("auditor_source_up", source=source)
    rows = daemon.tracked(source)
    kept = [rows[fp] for fp in known if fp in rows]
    assert len(kept) == len(known), "lifecycle rows lost"
    resolved = [r for r in kept if r.status != "open" or r.resolved_at is not None]
    assert resolved == [], f"falsely resolved: {sorted({r.rule_id for r in resolved})}"
    assert all(r.first_seen == known[r.fingerprint].first_seen for r in kept)
    stale = sum(1 for r in kept if r.stale)
    if up == 1.0:
        assert fault.partial is not False, "the source reads as up while it fails"
        problem = daemon.source_finding(source, PARTIAL)
        assert problem is not None and problem.status == "open", "partial read not reported"
        # Ports change from run to run; the committed table should not.
        first = re.sub(
            r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", problem.body["evidence"]["problems"][0]
        )
        return PARTIAL, (
            f"up 1, partial ('{first[:70]}…'), {len(kept)} findings kept ({stale} stale: "
            "the unread ones), 0 resolved"
        )
    assert fault.partial is not True, f"auditor_source_up is {up}, expected a partial read"
    assert up == 0.0, f"auditor_source_up is {up} while the source fails"
    down = daemon.source_finding(source, DOWN)
    assert down is not None and down.status == "open", "no source-down finding"
    kind = down.body["evidence"]["error_kind"]
    assert kind in fault.error_kinds, f"error class {kind!r}, expected one of {fault.error_kinds}"
    assert stale == len(kept), "findings of a down source not all stale"
    return DOWN, f"up 0 ({kind}), /readyz {ready}, {stale}/{len(kept)} findings stale, 0 resolved"


def _after(
    daemon: DaemonUnderTest, source: str, rule: str, known: dict[str, TrackedFinding]
) -> str:
    assert daemon.status("/healthz") == 200
    assert daemon.metric("auditor_source_up", source=source) == 1.0
    flag = daemon.source_finding(source, rule)
    assert flag is not None and flag.status == "resolved", f"{rule} not resolved on recovery"
    rows = daemon.tracked(source)
    fresh = [rows[fp] for fp in known if rows[fp].status == "open" and not rows[fp].stale]
    assert len(fresh) == len(known), "findings not fresh again after recovery"
    return f"recovered: {len(fresh)} findings fresh, first_seen kept"


def _told(
    receiver: Receiver,
    before: Told,
    source: str,
    rule: str,
    known: dict[str, TrackedFinding],
    seen: str,
) -> str:
    told = slack_changes(receiver) - before
    expected = {("NEW", rule, SOURCE_KIND, source): 1, ("RESOLVED", rule, SOURCE_KIND, source): 1}
    known_keys = {(r.rule_id, r.kind, str(r.body["resource"]["id"])) for r in known.values()}
    about_known = {key: n for key, n in told.items() if key[1:] in known_keys}
    assert about_known == {}, f"findings re-announced or resolved: {about_known}"
    assert {k: n for k, n in told.items() if k[1] == rule} == expected, told
    return f"pass — {seen}; Slack: '{rule}' once, its resolution once, 0 re-announced"
