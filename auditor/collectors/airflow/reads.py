"""What the collector reads from the API beyond the DAG list: runs, pause events, version."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from auditor.collectors.airflow.api import V1, V2, Dialect, iso, parse_time, run_facts
from auditor.collectors.airflow.client import AirflowClient, ApiError
from auditor.collectors.airflow.runs import RunSummary, summarise
from auditor.collectors.base import SourceError

_PAUSED_TRUE = re.compile(r"is_paused['\"]?\s*[:,=]\s*['\"]?true", re.IGNORECASE)
_PAUSED_FALSE = re.compile(r"is_paused['\"]?\s*[:,=]\s*['\"]?false", re.IGNORECASE)


def detect_dialect(client: AirflowClient, wanted: str) -> tuple[Dialect, str | None]:
    """The API version to speak (asking /api/v2/version, then /api/v1/version, when `wanted`
    is auto) and the Airflow version it reports."""
    candidates = [V2, V1] if wanted == "auto" else [V2 if wanted == "v2" else V1]
    for dialect in candidates:
        try:
            body = client.get(dialect.version_path)
        except ApiError as exc:
            if exc.status == 404 and dialect is not candidates[-1]:
                continue
            if exc.status == 404:
                raise SourceError(
                    "protocol", f"no Airflow REST API {dialect.version} at {client.base_url}"
                ) from None
            raise
        version = body.get("version") if isinstance(body, dict) else None
        return dialect, version if isinstance(version, str) else None
    raise AssertionError("unreachable")  # pragma: no cover


def dag_runs_path(dialect: Dialect, dag_id: str) -> str:
    """The runs listing of one DAG, or of every DAG with `~`."""
    return dialect.path(f"/dags/{quote(dag_id, safe='~')}/dagRuns")


def recent_runs(
    client: AirflowClient, dialect: Dialect, since: datetime
) -> dict[str, list[dict[str, Any]]]:
    """Runs of every DAG due since `since`, in one listing across DAGs, grouped by DAG."""
    params = {dialect.run_after_gte: iso(since) or "", "order_by": f"-{dialect.run_order}"}
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for raw in client.paged(dag_runs_path(dialect, "~"), "dag_runs", params):
        run = run_facts(raw, dialect.version)
        if isinstance(run.get("dag_id"), str):
            grouped[run["dag_id"]].append(run)
    return dict(grouped)


def complete_summary(
    client: AirflowClient, dialect: Dialect, dag_id: str, recent: list[dict[str, Any]]
) -> RunSummary:
    """The summary of a DAG whose recent runs hold no success: its last success, and the
    failed runs since then counted with one filtered listing (`total_entries`)."""
    path = dag_runs_path(dialect, dag_id)
    newest, oldest = f"-{dialect.run_order}", dialect.run_order
    _, successes = client.total(path, "dag_runs", {"order_by": newest, "state": "success"})
    runs = {str(r.get("run_id")): r for r in recent}
    failed_filter: dict[str, str] = {"order_by": oldest, "state": "failed"}
    if successes:
        last_success = run_facts(successes[0], dialect.version)
        runs[str(last_success.get("run_id"))] = last_success
        due = last_success.get("run_after") or last_success.get("logical_date")
        if isinstance(due, str):
            failed_filter[dialect.run_after_gte] = due
    failed, first_failed = client.total(path, "dag_runs", failed_filter)
    if not recent:
        _, latest = client.total(path, "dag_runs", {"order_by": newest})
        runs.update((str(r.get("dag_run_id")), run_facts(r, dialect.version)) for r in latest)
    summary = summarise(runs.values())
    # The failed runs since the last success, counted by the server: the streak's true length.
    summary.consecutive_failed_runs = failed
    if first_failed:
        summary.failing_since = run_facts(first_failed[0], dialect.version)
    summary.complete = True
    return summary


def pause_time_from_events(client: AirflowClient, dialect: Dialect, dag_id: str) -> datetime | None:
    """When a paused DAG was paused, from the audit log: its newest pause toggle, if that
    toggle paused it (UI, API or CLI). None when the log does not say."""
    events = client.get(
        dialect.path("/eventLogs"),
        {"dag_id": dag_id, "order_by": "-when", "limit": 50, "offset": 0},
    )
    entries = events.get("event_logs") if isinstance(events, dict) else None
    for entry in entries or []:
        if not isinstance(entry, dict):
            continue
        event = str(entry.get("event") or "").lower()
        extra = entry.get("extra")
        extra_text = extra if isinstance(extra, str) else json.dumps(extra)
        if "unpause" in event or _PAUSED_FALSE.search(extra_text or ""):
            return None  # the newest toggle unpaused it: paused some other way since
        if "pause" in event or ("patch_dag" in event and _PAUSED_TRUE.search(extra_text or "")):
            return parse_time(entry.get("when"))
    return None


def observed_pause(previous: dict[str, Any] | None, paused: bool, now: datetime) -> dict[str, Any]:
    """The next history point of a DAG's pause state: `since` carries over while it stays
    paused, so the first observation survives the store's trimming of old points."""
    if not paused:
        return {"paused": False}
    if previous and previous.get("paused"):
        return {**previous, "since": previous.get("since") or iso(now)}
    return {"paused": True, "since": iso(now)}


def lookback_start(now: datetime, hours: float) -> datetime:
    """The start of the recent-runs window."""
    return now - timedelta(hours=hours)
