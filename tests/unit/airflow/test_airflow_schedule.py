"""Schedule kinds and the longest gap between runs, from v2 summaries and v1 objects."""

from __future__ import annotations

import pytest

from auditor.collectors.airflow.schedule import describe_schedule, period_of

HOUR, DAY = 3600, 86400


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("@hourly", HOUR),
        ("@daily", DAY),
        ("0 0 * * *", DAY),
        ("*/15 * * * *", 900),
        ("30 */6 * * *", 6 * HOUR),
        ("0 2 * * 1-5", 3 * DAY),  # Friday 02:00 → Monday 02:00
        ("0 9,17 * * MON-FRI", 64 * HOUR),  # Friday 17:00 → Monday 09:00
        ("0 0 1 * *", 31 * DAY),
        ("0 0 * * 7", 7 * DAY),  # 7 is Sunday too
        ("1:00:00", HOUR),
        ("1 day, 0:00:00", DAY),
    ],
)
def test_longest_gap_of_a_schedule(text: str, seconds: int) -> None:
    """Presets, crons and timedelta strings give their longest gap between runs."""
    assert period_of(text) == seconds


@pytest.mark.parametrize("text", ["bogus", "0 0 31 2 *", "61 * * * *", "Asset"])
def test_no_period_for_what_is_not_a_schedule(text: str) -> None:
    """Unparseable or never-firing expressions give no period, never a wrong one."""
    assert period_of(text) is None


def test_v2_summaries_tell_manual_asset_once_and_time_apart() -> None:
    """A null summary is manual-only unless the timetable is an asset one."""
    assert describe_schedule(None, "Never, external triggers only", False).kind == "none"
    assert describe_schedule(None, "Triggered by assets", False).kind == "asset"
    assert describe_schedule("@once", "Once, as soon as possible", False).kind == "once"
    assert describe_schedule("0 3 * * *", "At 03:00", True).period_seconds == DAY
    assert describe_schedule("MyTimetable", "custom", True).kind == "time"


def test_v1_schedule_interval_objects() -> None:
    """CronExpression, TimeDelta and RelativeDelta objects of /api/v1."""
    cron = describe_schedule({"__type": "CronExpression", "value": "@hourly"}, None, None)
    assert (cron.kind, cron.period_seconds) == ("time", HOUR)
    delta = describe_schedule(
        {"__type": "TimeDelta", "days": 1, "seconds": 0, "microseconds": 0}, None, None
    )
    assert (delta.text, delta.period_seconds) == ("1 day, 0:00:00", DAY)
    monthly = describe_schedule({"__type": "RelativeDelta", "months": 1}, None, None)
    assert monthly.period_seconds == 31 * DAY
