"""Lag in seconds: when was the next record a group must read written? (kafka-lag-exporter's method)

Each collection records (time, log-end offset) per partition. The next record a group reads
is at its committed offset O; it was written between the last scan whose log end was ≤ O (L)
and the first whose log end was > O (R), so, interpolating,

    t = tR − (oR − O)·(tR − tL)/(oR − oL)        lag_seconds = now − t

Where kafka-lag-exporter goes wrong, this stays bounded and says what it knows (`basis`):
- O at or past the log end (caught up, idle topic included): 0, basis 'caught_up', never NaN.
- O older than every recorded point (a group reprocessing from the start, or history shorter
  than the lag): kafka-lag-exporter extrapolates a slope and reports nonsense (its #496); here
  the lag is *at least* the age of the oldest point: basis 'lower_bound'.
- Only the current point (first collection): unknown, basis 'unknown' (value None).
- A log end that went backwards (topic re-created): the history restarts from the drop.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import NamedTuple

CAUGHT_UP = "caught_up"
INTERPOLATED = "interpolated"
LOWER_BOUND = "lower_bound"
UNKNOWN = "unknown"

LogEndPoint = tuple[float, int]
"""(POSIX time of a scan, log-end offset then)."""


class TimeLag(NamedTuple):
    """Seconds behind (None when unknown) and how the number was obtained."""

    seconds: float | None
    basis: str


_CAUGHT_UP = TimeLag(0.0, CAUGHT_UP)
_UNKNOWN = TimeLag(None, UNKNOWN)
_new = tuple.__new__  # NamedTuple's __new__ is a Python function: one is made per lagging partition


def time_lag(committed: int, times: Sequence[float], offsets: Sequence[int]) -> TimeLag:
    """The time lag of `committed` from a partition's log-end history (oldest first, the
    current scan last; offsets never decrease: the history restarts when the log end drops)."""
    if not offsets:
        return _UNKNOWN
    now, log_end = times[-1], offsets[-1]
    if committed >= log_end:
        return _CAUGHT_UP
    right = bisect.bisect_right(offsets, committed)  # the first point past `committed`
    if right == 0:
        if len(offsets) < 2:
            return _UNKNOWN
        return _new(TimeLag, (round(now - times[0], 3), LOWER_BOUND))
    t_left, o_left, t_right, o_right = (
        times[right - 1],
        offsets[right - 1],
        times[right],
        offsets[right],
    )
    written = t_right - (o_right - committed) * (t_right - t_left) / (o_right - o_left)
    return _new(TimeLag, (round(max(0.0, now - written), 3), INTERPOLATED))
