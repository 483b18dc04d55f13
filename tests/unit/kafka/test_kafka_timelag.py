"""Lag in seconds: kafka-lag-exporter's interpolation, bounded where it goes wrong."""

from __future__ import annotations

import math

from auditor.collectors.kafka.timelag import (
    CAUGHT_UP,
    INTERPOLATED,
    LOWER_BOUND,
    UNKNOWN,
    TimeLag,
    time_lag,
)


def test_interpolates_between_the_bracketing_scans() -> None:
    """Offset 150 was written halfway between the scans that saw log ends 100 and 200."""
    times, offsets = [0.0, 60.0, 120.0], [100, 200, 260]
    assert time_lag(150, times, offsets) == TimeLag(90.0, INTERPOLATED)


def test_formula_matches_kafka_lag_exporter() -> None:
    """t = tR − (oR − O)·(tR − tL)/(oR − oL), lag = now − t."""
    times, offsets = [1000.0, 1060.0, 1300.0], [500, 800, 900]
    committed = 650
    t_written = 1060.0 - (800 - 650) * (1060.0 - 1000.0) / (800 - 500)
    assert time_lag(committed, times, offsets).seconds == round(1300.0 - t_written, 3)


def test_committed_at_the_log_end_is_zero_even_on_an_idle_topic() -> None:
    """An idle topic whose group is caught up has lag 0, never NaN (kafka-lag-exporter #111)."""
    lag = time_lag(42, [0.0, 60.0, 120.0], [42, 42, 42])
    assert lag == TimeLag(0.0, CAUGHT_UP)
    assert lag.seconds is not None and not math.isnan(lag.seconds)


def test_first_scan_of_a_lagging_partition_is_unknown_not_zero() -> None:
    """One point cannot date a record: unknown, explicitly (value None)."""
    assert time_lag(10, [0.0], [50]) == TimeLag(None, UNKNOWN)


def test_no_history_is_unknown() -> None:
    """A partition never seen has no time lag."""
    assert time_lag(10, [], []) == TimeLag(None, UNKNOWN)


def test_reprocessing_from_the_start_is_a_lower_bound_not_an_extrapolation() -> None:
    """Offset 0 on a log whose history starts at 1,000,000: at least as old as the oldest
    scan, not a slope extrapolated into years (kafka-lag-exporter #496)."""
    times, offsets = [0.0, 60.0, 120.0], [1_000_000, 1_000_010, 1_000_020]
    assert time_lag(0, times, offsets) == TimeLag(120.0, LOWER_BOUND)


def test_idle_topic_with_a_stopped_group_grows_with_time() -> None:
    """Nothing written for a while and the group is behind: the lag is at least the whole
    history, and grows scan by scan."""
    assert time_lag(5, [0.0, 60.0], [9, 9]).seconds == 60.0
    assert time_lag(5, [0.0, 60.0, 120.0], [9, 9, 9]).seconds == 120.0


def test_committed_offset_equal_to_an_old_log_end_dates_from_that_scan() -> None:
    """O equal to the log end at some scan: the next record came after that scan."""
    assert time_lag(100, [0.0, 60.0, 120.0], [100, 100, 200]) == TimeLag(60.0, INTERPOLATED)
