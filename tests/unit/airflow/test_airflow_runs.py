"""Run summaries: the last success, the failure streak, what is not yet finished."""

from __future__ import annotations

from typing import Any

from auditor.collectors.airflow.api import run_facts
from auditor.collectors.airflow.runs import freshness_time, summarise


def _run(run_id: str, state: str, due: str, **extra: Any) -> dict[str, Any]:
    raw = {"dag_run_id": run_id, "dag_id": "d", "state": state, "run_after": due,
           "logical_date": due, "run_type": "scheduled", **extra}  # fmt: skip
    return run_facts(raw, "v2")


def test_streak_counts_failures_since_the_newest_success_skipping_unfinished() -> None:
    """Running and queued runs are not failures; older failures before a success do not count."""
    summary = summarise(
        [
            _run("r1", "failed", "2026-11-26T01:00:00Z"),
            _run("r2", "success", "2026-11-26T02:00:00Z"),
            _run("r3", "failed", "2026-11-26T03:00:00Z"),
            _run("r4", "failed", "2026-11-26T04:00:00Z"),
            _run("r5", "running", "2026-11-26T05:00:00Z"),
        ]
    )
    assert summary.consecutive_failed_runs == 2
    assert summary.failing_since is not None and summary.failing_since["run_id"] == "r3"
    assert summary.last_success is not None and summary.last_success["run_id"] == "r2"
    assert summary.last_run is not None and summary.last_run["run_id"] == "r5"
    assert summary.complete


def test_without_a_success_the_summary_is_incomplete() -> None:
    """Only failures seen: the streak may reach further back, so it must be completed."""
    summary = summarise([_run("r1", "failed", "2026-11-26T01:00:00Z")])
    assert not summary.complete and summary.last_success is None


def test_data_reaches_the_interval_end_else_the_logical_date() -> None:
    """A run's data reaches its data interval end; without one, its logical date."""
    with_interval = _run("r", "success", "2026-11-26T02:00:00Z",
                         data_interval_end="2026-11-26T01:00:00Z")  # fmt: skip
    assert str(freshness_time(with_interval)) == "2026-11-26 01:00:00+00:00"
    assert str(freshness_time(_run("m", "success", "2026-11-20T00:00:00Z"))) == (
        "2026-11-20 00:00:00+00:00"
    )
