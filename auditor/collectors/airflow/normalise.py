"""API objects (canonical names, see api.py) → the data of airflow.* resources.

Pure functions over plain dicts: what rules read is decided here, testable on recorded shapes.
Every documented field is always present (docs/resource-kinds/airflow.md), null when unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from auditor.collectors.airflow.api import iso, parse_time
from auditor.collectors.airflow.runs import RunSummary, due_time, freshness_time
from auditor.collectors.airflow.schedule import Schedule, describe_schedule

ENVIRONMENT_KIND = "airflow.environment"
DAG_KIND = "airflow.dag"
IMPORT_ERROR_KIND = "airflow.import_error"
MAX_ERROR_CHARS = 300


def relative_file(path: Any, dags_folder: str) -> str | None:
    """A DAG file's path relative to the DAG folder (v1 gives absolute paths)."""
    if not isinstance(path, str) or not path:
        return None
    folder = dags_folder.rstrip("/") + "/"
    return path[len(folder) :] if path.startswith(folder) else path.lstrip("/")


def dag_file(facts: Mapping[str, Any], dags_folder: str) -> str | None:
    """The DAG's file relative to its DAG folder / bundle root."""
    return facts.get("relative_fileloc") or relative_file(facts.get("fileloc"), dags_folder)


def period(
    facts: Mapping[str, Any], schedule: Schedule, runs: RunSummary
) -> tuple[int | None, str | None]:
    """Seconds between runs and where that came from: the next data interval (interval
    timetables), else the schedule expression, else the gap from the last scheduled run to the
    next one."""
    start = parse_time(facts.get("next_data_interval_start"))
    end = parse_time(facts.get("next_data_interval_end"))
    if start and end and end > start:
        return int((end - start).total_seconds()), "data_interval"
    if schedule.period_seconds:
        return schedule.period_seconds, "schedule"
    next_date = parse_time(facts.get("next_logical_date"))
    if runs.last_scheduled is not None and next_date is not None:
        last = parse_time(runs.last_scheduled.get("logical_date"))
        if last is not None and next_date > last:
            return int((next_date - last).total_seconds()), "run_gap"
    return None, None


def _run_time(run: Mapping[str, Any] | None, field: str) -> str | None:
    return iso(parse_time(run.get(field))) if run else None


def _names(values: Any, key: str) -> list[str]:
    out = []
    for value in values if isinstance(values, list) else []:
        name = value.get(key) if isinstance(value, dict) else value
        if isinstance(name, str):
            out.append(name)
    return sorted(set(out))


def dag_data(
    environment: str,
    api_version: str,
    facts: Mapping[str, Any],
    runs: RunSummary,
    *,
    dags_folder: str,
    paused_since: tuple[datetime, str] | None = None,
) -> dict[str, Any]:
    """The airflow.dag data of one DAG."""
    schedule = describe_schedule(
        facts.get("schedule"), facts.get("timetable_description"), facts.get("timetable_periodic")
    )
    period_seconds, period_source = period(facts, schedule, runs)
    paused = bool(facts.get("is_paused"))
    last_success = runs.last_success
    return {
        "environment": environment,
        "dag_id": facts["dag_id"],
        "name": facts.get("display_name") or facts["dag_id"],
        "api_version": api_version,
        "is_paused": paused,
        "is_active": facts.get("is_active") is not False,
        "paused_since": iso(paused_since[0]) if paused and paused_since else None,
        "paused_since_source": paused_since[1] if paused and paused_since else None,
        "owners": _names(facts.get("owners"), "name"),
        "tags": _names(facts.get("tags"), "name"),
        "file": dag_file(facts, dags_folder),
        "bundle_name": facts.get("bundle_name"),
        "schedule": schedule.text,
        "schedule_kind": schedule.kind,
        "timetable_description": facts.get("timetable_description") or None,
        "period_seconds": period_seconds,
        "period_source": period_source,
        "next_logical_date": iso(parse_time(facts.get("next_logical_date"))),
        "next_run_after": iso(parse_time(facts.get("next_run_after"))),
        "next_data_interval_start": iso(parse_time(facts.get("next_data_interval_start"))),
        "next_data_interval_end": iso(parse_time(facts.get("next_data_interval_end"))),
        "last_parsed_time": iso(parse_time(facts.get("last_parsed_time"))),
        "has_import_errors": bool(facts.get("has_import_errors")),
        "last_run_id": runs.last_run.get("run_id") if runs.last_run else None,
        "last_run_state": runs.last_run.get("state") if runs.last_run else None,
        "last_run_after": iso(due_time(runs.last_run)) if runs.last_run else None,
        "last_success_run_id": last_success.get("run_id") if last_success else None,
        "last_success_end_date": _run_time(last_success, "end_date"),
        "last_success_data_interval_end": iso(freshness_time(last_success)),
        "consecutive_failed_runs": runs.consecutive_failed_runs,
        "failing_since": iso(due_time(runs.failing_since)) if runs.failing_since else None,
        "max_consecutive_failed_dag_runs": facts.get("max_consecutive_failed_dag_runs"),
    }


def error_summary(stack_trace: Any) -> str | None:
    """The exception line of a traceback (its last non-blank line), cut to a few hundred
    characters: the code lines above it may hold anything the DAG file holds."""
    if not isinstance(stack_trace, str):
        return None
    lines = [line.strip() for line in stack_trace.splitlines() if line.strip()]
    if not lines:
        return None
    last = lines[-1]
    return last if len(last) <= MAX_ERROR_CHARS else last[: MAX_ERROR_CHARS - 1] + "…"


def import_error_data(
    environment: str,
    facts: Mapping[str, Any],
    dag_ids: Iterable[str],
    *,
    dags_folder: str,
) -> dict[str, Any]:
    """The airflow.import_error data of one broken file."""
    return {
        "environment": environment,
        "file": relative_file(facts.get("filename"), dags_folder),
        "bundle_name": facts.get("bundle_name"),
        "timestamp": iso(parse_time(facts.get("timestamp"))),
        "error": error_summary(facts.get("stack_trace")),
        "dag_ids": sorted(set(dag_ids)),
    }


def _component(health: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = health.get(name)
    return value if isinstance(value, dict) else {}


def environment_data(
    environment: str,
    *,
    platform: str,
    url: str,
    api_version: str,
    airflow_version: str | None,
    health: Mapping[str, Any] | None,
    dags: Sequence[Mapping[str, Any]],
    import_error_count: int | None,
) -> dict[str, Any]:
    """The airflow.environment data: health of the scheduler, parser and database, counts."""
    health = health or {}
    scheduler = _component(health, "scheduler")
    triggerer = _component(health, "triggerer")
    processor = _component(health, "dag_processor")
    parsed = [t for d in dags if (t := parse_time(d.get("last_parsed_time"))) is not None]
    return {
        "environment": environment,
        "name": environment,
        "platform": platform,
        "url": url,
        "api_version": api_version,
        "airflow_version": airflow_version,
        "health_known": bool(health),
        "metadatabase_status": _component(health, "metadatabase").get("status"),
        "scheduler_status": scheduler.get("status"),
        "scheduler_heartbeat_at": iso(parse_time(scheduler.get("latest_scheduler_heartbeat"))),
        "triggerer_status": triggerer.get("status"),
        "triggerer_heartbeat_at": iso(parse_time(triggerer.get("latest_triggerer_heartbeat"))),
        "dag_processor_status": processor.get("status"),
        "dag_processor_heartbeat_at": iso(
            parse_time(processor.get("latest_dag_processor_heartbeat"))
        ),
        "dag_count": len(dags),
        "paused_dag_count": sum(1 for d in dags if d.get("is_paused")),
        "import_error_count": import_error_count,
        "last_parsed_time": iso(max(parsed)) if parsed else None,
    }
