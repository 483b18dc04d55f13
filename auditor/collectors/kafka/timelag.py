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
- A log end that went backwards (topic re-created): points before the drop are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

CAUGHT_UP = "caught_up"
INTERPOLATED = "interpolated"
LOWER_BOUND = "lower_bound"
UNKNOWN = "unknown"

LogEndPoint = tuple[float, int]
"""(POSIX time of a scan, log-end offset then), oldest first."""


@dataclass(frozen=True, slots=True)
class TimeLag:
    """Seconds behind (None when unknown) and how the number was obtained."""

    seconds: float | None
    basis: str


def time_lag(committed: int, points: Sequence[LogEndPoint]) -> TimeLag:
    """The time lag of `committed`; `points` ends with the current scan (its time is now)."""
    now, log_end = points[-1]
    if committed >= log_end:
        return TimeLag(0.0, CAUGHT_UP)
    usable = _since_last_reset(points)
    right = next(i for i, (_, offset) in enumerate(usable) if offset > committed)
    if right == 0:
        if len(usable) < 2:
            return TimeLag(None, UNKNOWN)
        return TimeLag(round(now - usable[0][0], 3), LOWER_BOUND)
    (t_left, o_left), (t_right, o_right) = usable[right - 1], usable[right]
    written = t_right - (o_right - committed) * (t_right - t_left) / (o_right - o_left)
    return TimeLag(round(max(0.0, now - written), 3), INTERPOLATED)


def _since_last_reset(points: Sequence[LogEndPoint]) -> Sequence[LogEndPoint]:
    for index in range(len(points) - 1, 0, -1):
        if points[index][1] < points[index - 1][1]:
            return points[index:]
    return points


def worst_time_lag(lags: Iterable[TimeLag]) -> tuple[TimeLag, int]:
    """The largest known time lag and how many were unknown; (unknown, n) when none is known.

    A lower bound that is the largest keeps its basis, so "at least" survives aggregation.
    """
    worst: TimeLag | None = None
    unknown = 0
    for lag in lags:
        if lag.seconds is None:
            unknown += 1
        elif worst is None or worst.seconds is None or lag.seconds > worst.seconds:
            worst = lag
    return (worst or TimeLag(None, UNKNOWN)), unknown
