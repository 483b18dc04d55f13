"""Burrow's consumer status rules over a window of recent scans, with reasons people can read.

Burrow judges each partition over its last N offset commits. We see committed offsets at each
scan, so the window is the last N scans of a partition that has a committed offset, and a
"commit" is a change of the committed offset. Only when the lag now exceeds the allowed lag:

1. STOP   — the committed offset has not moved for longer than the window spans, the log end
            was past it at every scan in the window (a group that caught up and went idle is
            not stopped), and no live member holds the partition;
2. REWIND — the committed offset went backwards in the window and is still below where it was;
3. when the lag exceeded the allowed lag at every scan in the window:
   STALL  — the offset did not move at all (a member holds it, or it is not yet STOP);
   WARN   — the offset moves but the lag never fell.
Otherwise OK. A lagging partition with fewer than `min_scans` scans is UNKNOWN. The group takes
its worst partition's status, with STOP, STALL and REWIND reported as ERR (as Burrow does).

Every verdict carries the numbers behind it (lag then and now, last commit age, window span),
because an unexplained status is what Burrow's users struggle with (Burrow #745, #738).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class PartitionStatus(StrEnum):
    """A partition's verdict."""

    OK = "OK"
    UNKNOWN = "UNKNOWN"
    WARN = "WARN"
    REWIND = "REWIND"
    STALL = "STALL"
    STOP = "STOP"

    @property
    def rank(self) -> int:
        """Higher is worse."""
        return list(PartitionStatus).index(self)


class GroupStatus(StrEnum):
    """A group's verdict: its worst partition's, with STOP/STALL/REWIND as ERR."""

    OK = "OK"
    UNKNOWN = "UNKNOWN"
    WARN = "WARN"
    ERR = "ERR"


@dataclass(frozen=True, slots=True)
class Scan:
    """One scan of one partition: when, the group's committed offset, and the log end."""

    at: float
    committed: int
    log_end: int

    @property
    def lag(self) -> int:
        """Records behind, never negative (a committed offset past the log end is caught up)."""
        return max(0, self.log_end - self.committed)


@dataclass(frozen=True, slots=True)
class Verdict:
    """A partition's status, why, and the numbers the reason quotes."""

    status: PartitionStatus
    reason: str
    lag_then: int
    lag_now: int
    last_commit_age_seconds: float
    window_span_seconds: float
    window_scans: int


def evaluate_partition(
    window: Sequence[Scan],
    since: float,
    *,
    allowed_lag: int = 0,
    min_scans: int = 5,
    holder: str | None = None,
) -> Verdict:
    """The status of one partition over `window` (oldest first, the current scan last).

    `since` is when the current committed offset was first seen; `holder` names the live
    member assigned the partition ('client-id@host'), None when no member is known to hold it.
    """
    first, last = window[0], window[-1]
    span = last.at - first.at
    age = max(0.0, last.at - since)
    numbers = (first.lag, last.lag, round(age, 3), round(span, 3), len(window))
    lag_trend = f"lag {first.lag} → {last.lag} over {len(window)} scans ({duration(span)})"

    def verdict(status: PartitionStatus, reason: str) -> Verdict:
        return Verdict(status, reason, *numbers)

    if last.lag <= allowed_lag:
        within = f" (allowed {allowed_lag})" if allowed_lag else ""
        return verdict(PartitionStatus.OK, f"caught up: lag {last.lag}{within}")
    if len(window) < min_scans:
        return verdict(
            PartitionStatus.UNKNOWN,
            f"lag {last.lag}, but only {len(window)} of the {min_scans} scans needed to judge it",
        )
    unmoved = f"committed offset {last.committed} has not moved for {duration(age)}"
    if age > span and holder is None and all(s.log_end > last.committed for s in window):
        return verdict(
            PartitionStatus.STOP,
            f"{unmoved}, longer than the {duration(span)} the last {len(window)} scans span, "
            f"while the log end stayed ahead of it at every scan; {lag_trend}",
        )
    rewind = _unrecovered_rewind(window)
    if rewind is not None:
        at, peak, low = rewind
        return verdict(
            PartitionStatus.REWIND,
            f"committed offset went back from {peak} to {low} {duration(last.at - at)} ago "
            f"and is still below {peak} (now {last.committed}); {lag_trend}",
        )
    if all(s.lag > allowed_lag for s in window):
        if all(s.committed == last.committed for s in window):
            who = f"member {holder} holds the partition" if holder else "no live member holds it"
            return verdict(
                PartitionStatus.STALL,
                f"{unmoved} (none of the last {len(window)} scans saw it move; {who}); {lag_trend}",
            )
        if all(b.lag >= a.lag for a, b in itertools.pairwise(window)):
            return verdict(
                PartitionStatus.WARN,
                f"lag never fell: {lag_trend}; the group committed {first.committed} → "
                f"{last.committed} while the log end moved {first.log_end} → {last.log_end}",
            )
    low = min(s.lag for s in window)
    return verdict(
        PartitionStatus.OK, f"keeping up: lag {last.lag}, as low as {low} within the window"
    )


def _unrecovered_rewind(window: Sequence[Scan]) -> tuple[float, int, int] | None:
    """(time, offset before, offset after) of a backwards commit still below its earlier peak."""
    peak = window[0].committed
    found: tuple[float, int, int] | None = None
    for before, after in itertools.pairwise(window):
        if after.committed < before.committed:
            found = (after.at, peak, after.committed)
        peak = max(peak, after.committed)
    if found is None or window[-1].committed >= found[1]:
        return None
    return found


def group_status(statuses: Iterable[PartitionStatus]) -> tuple[GroupStatus, PartitionStatus]:
    """(group status, worst partition status); UNKNOWN for a group with no judged partition."""
    worst = max(statuses, key=lambda s: s.rank, default=PartitionStatus.UNKNOWN)
    if worst in (PartitionStatus.STOP, PartitionStatus.STALL, PartitionStatus.REWIND):
        return GroupStatus.ERR, worst
    return GroupStatus(worst.value), worst


def duration(seconds: float) -> str:
    """A short human duration: 45s, 14m05s, 3h02m, 2d04h."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    if whole < 86400:
        return f"{whole // 3600}h{whole % 3600 // 60:02d}m"
    return f"{whole // 86400}d{whole % 86400 // 3600:02d}h"
