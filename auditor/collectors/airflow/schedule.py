"""What a DAG's schedule says: its kind, and the longest gap between two of its runs.

The longest gap, not the typical one: a weekday-only DAG waits three days over a weekend, and
"stale after two periods" must not page on Monday morning.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

PRESETS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@quarterly": "0 0 1 */3 *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
_MONTH_NAMES = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC"
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES.split(" "), 1)}
_DAYS = {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}
# str(timedelta): "1:00:00", "1 day, 0:00:00", "2 days, 3:04:05.5"
_TIMEDELTA = re.compile(r"^(?:(\d+) days?, )?(\d+):(\d\d):(\d\d(?:\.\d+)?)$")
_SIMULATED_DAYS = 2 * 366  # two years: every month length, a leap day, every weekday


@dataclass(frozen=True, slots=True)
class Schedule:
    """`kind`: time (cron / interval), none (manual only), once, continuous, asset, other."""

    text: str | None
    kind: str
    period_seconds: int | None


def describe_schedule(raw: Any, description: str | None, periodic: bool | None) -> Schedule:
    """The schedule from v2's `timetable_summary` (a string) or v1's `schedule_interval`
    (`{__type: CronExpression|TimeDelta|RelativeDelta, ...}`), with the timetable description
    and v2's `timetable_periodic` to tell manual-only from asset-triggered DAGs."""
    if isinstance(raw, dict):
        return _from_v1_object(raw)
    description = description if isinstance(description, str) else None
    text = raw.strip() if isinstance(raw, str) and raw.strip() not in ("", "None") else None
    if text is None:
        lowered = (description or "").lower()
        if "asset" in lowered or "dataset" in lowered:
            return Schedule(None, "asset", None)
        return Schedule(None, "none", None)
    if text in ("@once", "@continuous"):
        return Schedule(text, text[1:], None)
    period = period_of(text)
    if period is not None:
        return Schedule(text, "time", period)
    lowered = f"{text} {description or ''}".lower()
    if periodic is False and ("asset" in lowered or "dataset" in lowered):
        return Schedule(text, "asset", None)
    return Schedule(text, "time" if periodic else "other", None)


def _from_v1_object(raw: dict[str, Any]) -> Schedule:
    try:
        return _v1_schedule(raw)
    except (TypeError, ValueError, OverflowError):  # a count that is not a (finite) number
        return Schedule(None, "other", None)


def _v1_schedule(raw: dict[str, Any]) -> Schedule:
    kind = raw.get("__type")
    if kind == "CronExpression":
        value = str(raw.get("value", ""))
        if value in ("@once", "@continuous"):
            return Schedule(value, value[1:], None)
        return Schedule(value, "time", period_of(value))
    if kind == "TimeDelta":
        seconds = (
            int(raw.get("days") or 0) * 86400
            + int(raw.get("seconds") or 0)
            + int(raw.get("microseconds") or 0) // 1_000_000
        )
        return Schedule(str(timedelta(seconds=seconds)), "time", seconds or None)
    if kind == "RelativeDelta":
        # Months and years have no fixed length: take the longest (31 days, 366 days).
        seconds = (
            int(raw.get("years") or 0) * 366 * 86400
            + int(raw.get("months") or 0) * 31 * 86400
            + int(raw.get("days") or 0) * 86400
            + int(raw.get("hours") or 0) * 3600
            + int(raw.get("minutes") or 0) * 60
            + int(raw.get("seconds") or 0)
        )
        return Schedule(f"relativedelta {seconds}s", "time", seconds or None)
    return Schedule(None, "other", None)


def period_of(text: str) -> int | None:
    """The longest gap in seconds between two runs of a cron expression, preset or
    timedelta string; None when `text` is none of these."""
    text = PRESETS.get(text.strip(), text.strip())
    match = _TIMEDELTA.match(text)
    if match:
        days, hours, minutes, seconds = match.groups()
        total = int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60
        return total + int(float(seconds)) or None
    fields = text.split()
    if len(fields) != 5:
        return None
    try:
        return _cron_longest_gap(fields)
    except ValueError:
        return None


def _values(field: str, low: int, high: int, names: dict[str, int]) -> set[int]:
    values: set[int] = set()
    for part in field.upper().split(","):
        spec, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(part)
        if spec in ("*", "?"):
            start, end = low, high
        elif "-" in spec:
            first, last = spec.split("-", 1)
            start, end = _number(first, names), _number(last, names)
        else:
            start = _number(spec, names)
            end = high if step_text else start
        if not (low <= start <= high and low <= end <= high + 1) or start > end:
            raise ValueError(part)
        values.update(range(start, end + 1, step))
    return values


def _number(text: str, names: dict[str, int]) -> int:
    return names[text] if text in names else int(text)


def _cron_longest_gap(fields: list[str]) -> int | None:
    minute, hour, dom, month, dow = fields
    minutes = _values(minute, 0, 59, {})
    hours = _values(hour, 0, 23, {})
    days_of_month = _values(dom, 1, 31, {})
    months = _values(month, 1, 12, _MONTHS)
    weekdays = {d % 7 for d in _values(dow, 0, 7, _DAYS)}  # 7 is Sunday too
    times = sorted(h * 60 + m for h in hours for m in minutes)
    dom_any, dow_any = dom.strip() in ("*", "?"), dow.strip() in ("*", "?")
    first = date(2024, 1, 1)
    run_days = []
    for offset in range(_SIMULATED_DAYS):
        day = first + timedelta(days=offset)
        if day.month not in months:
            continue
        by_dom, by_dow = day.day in days_of_month, (day.isoweekday() % 7) in weekdays
        # cron: when both day fields are restricted, either may match
        matches = by_dom or by_dow if not dom_any and not dow_any else by_dom and by_dow
        if matches:
            run_days.append(offset)
    if not run_days or not times:
        return None
    gaps = [b - a for a, b in itertools.pairwise(times)]
    gaps += [(b - a) * 1440 + times[0] - times[-1] for a, b in itertools.pairwise(run_days)]
    return max(gaps) * 60 if gaps else None
