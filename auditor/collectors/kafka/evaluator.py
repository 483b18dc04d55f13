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

Every verdict carries the numbers behind it (lag then and now, last commit age, window span)
and a sentence quoting them, because an unexplained status is what Burrow's users struggle
with (Burrow #745, #738). The sentence is written only when asked for: a scan judges every
lagging partition, and reports on few.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import NamedTuple


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
        return _RANK[self]


class GroupStatus(StrEnum):
    """A group's verdict: its worst partition's, with STOP/STALL/REWIND as ERR."""

    OK = "OK"
    UNKNOWN = "UNKNOWN"
    WARN = "WARN"
    ERR = "ERR"


_RANK = {status: rank for rank, status in enumerate(PartitionStatus)}
# A NamedTuple's own __new__ is a Python function, twice as slow as the tuple's: the judging
# makes a verdict and two scans per lagging partition per collection.
_new = tuple.__new__
_ERRORS = (PartitionStatus.STOP, PartitionStatus.STALL, PartitionStatus.REWIND)


class Scan(NamedTuple):
    """One scan of one partition: when, the group's committed offset, and the log end."""

    at: float
    committed: int
    log_end: int

    @property
    def lag(self) -> int:
        """Records behind, never negative (a committed offset past the log end is caught up)."""
        return self.log_end - self.committed if self.log_end > self.committed else 0


class Verdict(NamedTuple):
    """A partition's status and the numbers behind it; `reason` puts them in a sentence.

    (A tuple rather than a dataclass: one is made for every lagging partition at every scan.)
    """

    status: PartitionStatus
    lag_then: int
    lag_now: int
    last_commit_age_seconds: float
    window_span_seconds: float
    window_scans: int
    first: Scan
    last: Scan
    allowed_lag: int = 0
    min_scans: int = 0
    holder: str | None = None
    rewind: tuple[float, int, int] | None = None  # (when, offset before, offset after)
    lowest_lag: int = 0

    @property
    def reason(self) -> str:
        """Which condition holds, with the numbers (what Burrow never says)."""
        first, last, status = self.first, self.last, self.status
        span, age = duration(self.window_span_seconds), duration(self.last_commit_age_seconds)
        trend = f"lag {self.lag_then} → {self.lag_now} over {self.window_scans} scans ({span})"
        unmoved = f"committed offset {last.committed} has not moved for {age}"
        if status is PartitionStatus.OK and self.lag_now <= self.allowed_lag:
            within = f" (allowed {self.allowed_lag})" if self.allowed_lag else ""
            return f"caught up: lag {self.lag_now}{within}"
        if status is PartitionStatus.OK:
            return f"keeping up: lag {self.lag_now}, as low as {self.lowest_lag} within the window"
        if status is PartitionStatus.UNKNOWN:
            return (
                f"lag {self.lag_now}, but only {self.window_scans} of the {self.min_scans} "
                "scans needed to judge it"
            )
        if status is PartitionStatus.STOP:
            return (
                f"{unmoved}, longer than the {span} the last {self.window_scans} scans span, "
                f"while the log end stayed ahead of it at every scan; {trend}"
            )
        if status is PartitionStatus.REWIND and self.rewind is not None:
            at, peak, low = self.rewind
            return (
                f"committed offset went back from {peak} to {low} {duration(last.at - at)} ago "
                f"and is still below {peak} (now {last.committed}); {trend}"
            )
        if status is PartitionStatus.STALL:
            who = (
                f"member {self.holder} holds the partition"
                if self.holder
                else "no live member holds it"
            )
            return (
                f"{unmoved} (none of the last {self.window_scans} scans saw it move; {who}); "
                f"{trend}"
            )
        return (
            f"lag never fell: {trend}; the group committed {first.committed} → "
            f"{last.committed} while the log end moved {first.log_end} → {last.log_end}"
        )


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
    return evaluate_columns(
        [s.at for s in window],
        [s.committed for s in window],
        [s.log_end for s in window],
        since,
        allowed_lag=allowed_lag,
        min_scans=min_scans,
        holder=holder,
    )


def evaluate_columns(
    times: Sequence[float],
    committed: Sequence[int],
    log_end: Sequence[int],
    since: float,
    *,
    allowed_lag: int = 0,
    min_scans: int = 5,
    holder: str | None = None,
) -> Verdict:
    """`evaluate_partition` over the window as three columns of equal length (what the
    history keeps): no record is made per scan."""
    # Runs for every lagging partition of every group on every scan: kept lean on purpose.
    at_first, at_last = times[0], times[-1]
    first_committed, last_committed = committed[0], committed[-1]
    first_end, last_end = log_end[0], log_end[-1]
    first_lag = first_end - first_committed if first_end > first_committed else 0
    lag_now = last_end - last_committed if last_end > last_committed else 0
    span = at_last - at_first
    age = at_last - since if at_last > since else 0.0
    status = PartitionStatus.OK
    rewind = None
    lowest = 0
    if lag_now <= allowed_lag:
        pass
    elif len(times) < min_scans:
        status = PartitionStatus.UNKNOWN
    elif age > span and holder is None and min(log_end) > last_committed:
        status = PartitionStatus.STOP
    elif last_committed < max(committed) and (rewind := _unrecovered_rewind(times, committed)):
        status = PartitionStatus.REWIND
    else:
        lags = [e - c if e > c else 0 for c, e in zip(committed, log_end, strict=True)]
        lowest = min(lags)
        if lowest > allowed_lag:
            if min(committed) == max(committed):
                status = PartitionStatus.STALL
            elif all(b >= a for a, b in itertools.pairwise(lags)):
                status = PartitionStatus.WARN
    return _new(
        Verdict,
        (
            status,
            first_lag,
            lag_now,
            age,
            span,
            len(times),
            _new(Scan, (at_first, first_committed, first_end)),
            _new(Scan, (at_last, last_committed, last_end)),
            allowed_lag,
            min_scans,
            holder,
            rewind,
            lowest,
        ),
    )


def _unrecovered_rewind(
    times: Sequence[float], committed: Sequence[int]
) -> tuple[float, int, int] | None:
    """(time, offset before, offset after) of a backwards commit still below its earlier peak."""
    found: tuple[float, int, int] | None = None
    previous = peak = committed[0]
    for at, offset in zip(times, committed, strict=True):
        if offset < previous:
            found = (at, peak, offset)
        elif offset > peak:
            peak = offset
        previous = offset
    if found is None or committed[-1] >= found[1]:
        return None
    return found


def group_status(statuses: Iterable[PartitionStatus]) -> tuple[GroupStatus, PartitionStatus]:
    """(group status, worst partition status); UNKNOWN for a group with no judged partition."""
    present = set(statuses)
    worst = max(present, key=_RANK.__getitem__, default=PartitionStatus.UNKNOWN)
    if worst in _ERRORS:
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
