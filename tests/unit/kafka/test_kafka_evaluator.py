"""Burrow's rules, one condition at a time, and the sentences that explain them."""

from __future__ import annotations

from auditor.collectors.kafka.evaluator import (
    GroupStatus,
    PartitionStatus,
    Scan,
    evaluate_partition,
    group_status,
)

MINUTE = 60.0


def scans(committed: list[int], log_end: list[int], start: float = 0.0) -> list[Scan]:
    """One scan a minute with these committed offsets and log ends."""
    return [
        Scan(start + i * MINUTE, c, e)
        for i, (c, e) in enumerate(zip(committed, log_end, strict=True))
    ]


def test_caught_up_is_ok_whatever_the_history() -> None:
    """Lag 0 now is OK even after a long stall: Burrow only judges a lagging partition."""
    window = scans([5, 5, 5, 5, 10], [10, 10, 10, 10, 10])
    verdict = evaluate_partition(window, since=4 * MINUTE, min_scans=3)
    assert verdict.status is PartitionStatus.OK
    assert verdict.reason == "caught up: lag 0"


def test_allowed_lag_counts_as_caught_up() -> None:
    """A transactional topic's permanent lag of 1 is within an allowed lag of 1."""
    window = scans([9, 9, 9], [10, 10, 10])
    verdict = evaluate_partition(window, since=0.0, allowed_lag=1, min_scans=3)
    assert verdict.status is PartitionStatus.OK
    assert verdict.reason == "caught up: lag 1 (allowed 1)"


def test_too_few_scans_is_unknown_and_says_how_many_are_needed() -> None:
    """A lagging partition seen twice is not judged yet, and says so."""
    verdict = evaluate_partition(scans([1, 1], [5, 9]), since=0.0, min_scans=3)
    assert verdict.status is PartitionStatus.UNKNOWN
    assert verdict.reason == "lag 8, but only 2 of the 3 scans needed to judge it"


def test_stop_when_offset_unmoved_longer_than_the_window_with_the_log_ahead() -> None:
    """Unchanged since before the window began, log end ahead at every scan: STOP, with the
    commit age, the span and the lag then and now in the sentence."""
    window = scans([4, 4, 4, 4], [10, 13, 16, 19], start=10 * MINUTE)
    verdict = evaluate_partition(window, since=5 * MINUTE, min_scans=3)
    assert verdict.status is PartitionStatus.STOP
    assert verdict.last_commit_age_seconds == 8 * MINUTE
    assert verdict.window_span_seconds == 3 * MINUTE
    assert (verdict.lag_then, verdict.lag_now) == (6, 15)
    assert verdict.reason == (
        "committed offset 4 has not moved for 8m00s, longer than the 3m00s the last 4 scans "
        "span, while the log end stayed ahead of it at every scan; lag 6 → 15 over 4 scans "
        "(3m00s)"
    )


def test_a_group_that_caught_up_and_then_saw_new_records_is_not_stop() -> None:
    """If the log end was at the committed offset within the window, the group had simply
    caught up: not STOP, even though its offset is old."""
    window = scans([4, 4, 4, 4], [4, 4, 4, 7], start=10 * MINUTE)
    verdict = evaluate_partition(window, since=0.0, min_scans=3)
    assert verdict.status is PartitionStatus.OK
    assert "as low as 0" in verdict.reason


def test_unmoved_offset_held_by_a_live_member_is_stall_not_stop() -> None:
    """A member holds the partition and the offset never moved in the window: STALL, naming
    the member."""
    window = scans([4, 4, 4, 4], [10, 13, 16, 19], start=10 * MINUTE)
    verdict = evaluate_partition(window, since=0.0, min_scans=3, holder="etl-1@10.0.0.7")
    assert verdict.status is PartitionStatus.STALL
    assert "member etl-1@10.0.0.7 holds the partition" in verdict.reason
    assert "none of the last 4 scans saw it move" in verdict.reason


def test_unmoved_offset_not_yet_older_than_the_window_is_stall() -> None:
    """Constant through the window but first seen at its start: STALL until it outlasts it."""
    window = scans([4, 4, 4], [10, 13, 16])
    verdict = evaluate_partition(window, since=0.0, min_scans=3)
    assert verdict.status is PartitionStatus.STALL
    assert "no live member holds it" in verdict.reason


def test_rewind_that_did_not_recover() -> None:
    """An offset that went back and stays below where it was is REWIND, with both offsets."""
    window = scans([50, 60, 20, 25], [70, 80, 90, 100])
    verdict = evaluate_partition(window, since=3 * MINUTE, min_scans=3)
    assert verdict.status is PartitionStatus.REWIND
    assert verdict.rewind == (2 * MINUTE, 60, 20)
    assert verdict.reason.startswith(
        "committed offset went back from 60 to 20 1m00s ago and is still below 60 (now 25)"
    )


def test_rewind_that_recovered_is_not_rewind() -> None:
    """Back and then past the old offset again: no REWIND (the lag falls, so OK)."""
    window = scans([50, 60, 20, 65], [70, 80, 90, 100])
    verdict = evaluate_partition(window, since=3 * MINUTE, min_scans=3)
    assert verdict.status is PartitionStatus.OK


def test_lag_never_falling_while_the_offset_moves_is_warn() -> None:
    """Consuming, but slower than producers: WARN, with both offsets' progress."""
    window = scans([10, 12, 14, 16], [20, 25, 30, 35])
    verdict = evaluate_partition(window, since=3 * MINUTE, min_scans=3)
    assert verdict.status is PartitionStatus.WARN
    assert verdict.reason == (
        "lag never fell: lag 10 → 19 over 4 scans (3m00s); the group committed 10 → 16 "
        "while the log end moved 20 → 35"
    )


def test_lag_that_fell_once_is_ok() -> None:
    """One fall of the lag in the window means the consumer is keeping up."""
    window = scans([10, 18, 20, 22], [20, 25, 30, 35])
    verdict = evaluate_partition(window, since=3 * MINUTE, min_scans=3)
    assert verdict.status is PartitionStatus.OK
    assert verdict.reason == "keeping up: lag 13, as low as 7 within the window"


def test_negative_lag_is_clamped_to_zero() -> None:
    """A committed offset past the log end (log truncated) is lag 0, not negative."""
    assert Scan(0.0, 15, 10).lag == 0


def test_group_takes_the_worst_partition_and_reports_errors_as_err() -> None:
    """STOP/STALL/REWIND make the group ERR; WARN stays WARN; nothing judged is UNKNOWN."""
    assert group_status([PartitionStatus.OK, PartitionStatus.STOP]) == (
        GroupStatus.ERR,
        PartitionStatus.STOP,
    )
    assert group_status([PartitionStatus.WARN, PartitionStatus.OK]) == (
        GroupStatus.WARN,
        PartitionStatus.WARN,
    )
    assert group_status([PartitionStatus.REWIND, PartitionStatus.STALL])[1] is (
        PartitionStatus.STALL
    )
    assert group_status([]) == (GroupStatus.UNKNOWN, PartitionStatus.UNKNOWN)
    assert group_status([PartitionStatus.OK]) == (GroupStatus.OK, PartitionStatus.OK)
