"""A DAG's recent runs, summarised: the last run, the last success, the failure streak."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from auditor.collectors.airflow.api import parse_time

Run = Mapping[str, Any]  # canonical run facts (api.run_facts)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class RunSummary:
    """What the freshness rules need from a DAG's runs.

    `consecutive_failed_runs` counts finished runs that failed since the last success, newest
    first; queued and running runs are skipped (not failed yet). `complete` is False when the
    runs seen hold no success, so the streak may reach further back than they do.
    """

    last_run: Run | None = None
    last_success: Run | None = None
    last_scheduled: Run | None = None
    consecutive_failed_runs: int = 0
    failing_since: Run | None = None
    complete: bool = False


def due_time(run: Run) -> datetime:
    """When a run was due: run_after (v2) or the logical date (v1), for ordering."""
    return parse_time(run.get("run_after")) or parse_time(run.get("logical_date")) or _EPOCH


def newest_first(runs: Iterable[Run]) -> list[Run]:
    """Runs ordered newest due time first."""
    return sorted(runs, key=due_time, reverse=True)


def summarise(runs: Iterable[Run]) -> RunSummary:
    """The summary of one DAG's runs (any order)."""
    summary = RunSummary()
    streak_open = True
    for run in newest_first(runs):
        state = run.get("state")
        if summary.last_run is None:
            summary.last_run = run
        if summary.last_scheduled is None and run.get("run_type") == "scheduled":
            summary.last_scheduled = run
        if state == "success":
            if summary.last_success is None:
                summary.last_success = run
            streak_open = False
        elif state == "failed" and streak_open:
            summary.consecutive_failed_runs += 1
            summary.failing_since = run
    summary.complete = summary.last_success is not None
    return summary


def freshness_time(run: Run | None) -> datetime | None:
    """How far the data of a successful run reaches: its data interval end, else its
    logical date, else when it ended (a run without a data interval)."""
    if run is None:
        return None
    return (
        parse_time(run.get("data_interval_end"))
        or parse_time(run.get("logical_date"))
        or parse_time(run.get("end_date"))
    )
