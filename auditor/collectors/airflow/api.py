"""The two REST API dialects — Airflow 2 `/api/v1` and Airflow 3 `/api/v2` — and the one
mapping from their field names to ours.

Everything past this module reads canonical names only (`next_logical_date`, `stack_trace`),
so a field renamed between versions is handled here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

ApiVersion = Literal["v1", "v2"]


@dataclass(frozen=True, slots=True)
class Dialect:
    """Paths and query-parameter names of one API version."""

    version: ApiVersion
    prefix: str
    health_path: str
    version_path: str
    run_order: str  # the field runs are ordered by: when a run is due
    run_after_gte: str  # the matching range filter

    def path(self, tail: str) -> str:
        """`/api/vN` + tail."""
        return self.prefix + tail


V1 = Dialect(
    version="v1",
    prefix="/api/v1",
    health_path="/api/v1/health",
    version_path="/api/v1/version",
    run_order="execution_date",
    run_after_gte="execution_date_gte",
)
V2 = Dialect(
    version="v2",
    prefix="/api/v2",
    health_path="/api/v2/monitor/health",
    version_path="/api/v2/version",
    run_order="run_after",
    run_after_gte="run_after_gte",
)
DIALECTS: Mapping[ApiVersion, Dialect] = {"v1": V1, "v2": V2}

# canonical name → candidate source names per version, first present wins.
DAG_FIELDS: Mapping[str, Mapping[ApiVersion, tuple[str, ...]]] = {
    "dag_id": {"v1": ("dag_id",), "v2": ("dag_id",)},
    "display_name": {"v1": ("dag_display_name", "dag_id"), "v2": ("dag_display_name", "dag_id")},
    "is_paused": {"v1": ("is_paused",), "v2": ("is_paused",)},
    "description": {"v1": ("description",), "v2": ("description",)},
    "fileloc": {"v1": ("fileloc",), "v2": ("fileloc",)},
    "relative_fileloc": {"v1": (), "v2": ("relative_fileloc",)},
    "bundle_name": {"v1": (), "v2": ("bundle_name",)},
    "owners": {"v1": ("owners",), "v2": ("owners",)},
    "tags": {"v1": ("tags",), "v2": ("tags",)},
    "schedule": {"v1": ("schedule_interval",), "v2": ("timetable_summary",)},
    "timetable_description": {
        "v1": ("timetable_description",),
        "v2": ("timetable_description",),
    },
    "timetable_periodic": {"v1": (), "v2": ("timetable_periodic",)},
    "next_logical_date": {"v1": ("next_dagrun",), "v2": ("next_dagrun_logical_date",)},
    "next_run_after": {"v1": ("next_dagrun_create_after",), "v2": ("next_dagrun_run_after",)},
    "next_data_interval_start": {
        "v1": ("next_dagrun_data_interval_start",),
        "v2": ("next_dagrun_data_interval_start",),
    },
    "next_data_interval_end": {
        "v1": ("next_dagrun_data_interval_end",),
        "v2": ("next_dagrun_data_interval_end",),
    },
    "last_parsed_time": {"v1": ("last_parsed_time",), "v2": ("last_parsed_time",)},
    "has_import_errors": {"v1": ("has_import_errors",), "v2": ("has_import_errors",)},
    "max_consecutive_failed_dag_runs": {
        "v1": ("max_consecutive_failed_dag_runs",),
        "v2": ("max_consecutive_failed_dag_runs",),
    },
}
RUN_FIELDS: Mapping[str, Mapping[ApiVersion, tuple[str, ...]]] = {
    "dag_id": {"v1": ("dag_id",), "v2": ("dag_id",)},
    "run_id": {"v1": ("dag_run_id",), "v2": ("dag_run_id",)},
    "state": {"v1": ("state",), "v2": ("state",)},
    "run_type": {"v1": ("run_type",), "v2": ("run_type",)},
    "logical_date": {"v1": ("logical_date", "execution_date"), "v2": ("logical_date",)},
    "run_after": {"v1": ("execution_date", "logical_date"), "v2": ("run_after",)},
    "start_date": {"v1": ("start_date",), "v2": ("start_date",)},
    "end_date": {"v1": ("end_date",), "v2": ("end_date",)},
    "data_interval_start": {"v1": ("data_interval_start",), "v2": ("data_interval_start",)},
    "data_interval_end": {"v1": ("data_interval_end",), "v2": ("data_interval_end",)},
}
IMPORT_ERROR_FIELDS: Mapping[str, Mapping[ApiVersion, tuple[str, ...]]] = {
    "filename": {"v1": ("filename",), "v2": ("filename",)},
    "bundle_name": {"v1": (), "v2": ("bundle_name",)},
    "timestamp": {"v1": ("timestamp",), "v2": ("timestamp",)},
    # Airflow 3's model names it `stacktrace`, serialised under the alias `stack_trace`.
    "stack_trace": {"v1": ("stack_trace",), "v2": ("stack_trace", "stacktrace")},
}
# v1 says whether a DAG is active; v2 says whether it is stale (the inverse).
_ACTIVE = {"v1": ("is_active", False), "v2": ("is_stale", True)}


def canonical(
    raw: Mapping[str, Any],
    fields: Mapping[str, Mapping[ApiVersion, tuple[str, ...]]],
    version: ApiVersion,
) -> dict[str, Any]:
    """`raw` (one API object) under canonical names; a field the version lacks is None."""
    out: dict[str, Any] = {}
    for name, sources in fields.items():
        out[name] = next((raw[s] for s in sources[version] if raw.get(s) is not None), None)
    return out


def dag_facts(raw: Mapping[str, Any], version: ApiVersion) -> dict[str, Any]:
    """A DAG object under canonical names, with `is_active` for both versions."""
    facts = canonical(raw, DAG_FIELDS, version)
    field, inverted = _ACTIVE[version]
    value = raw.get(field)
    facts["is_active"] = None if value is None else bool(value) != inverted
    return facts


def run_facts(raw: Mapping[str, Any], version: ApiVersion) -> dict[str, Any]:
    """A DAG run under canonical names."""
    return canonical(raw, RUN_FIELDS, version)


def import_error_facts(raw: Mapping[str, Any], version: ApiVersion) -> dict[str, Any]:
    """An import error under canonical names."""
    return canonical(raw, IMPORT_ERROR_FIELDS, version)


def parse_time(value: Any) -> datetime | None:
    """An API timestamp as an aware UTC datetime; None for null or unparseable text."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace(" ", "T", 1)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    """RFC 3339 UTC text, the form rules read with CEL `timestamp()`."""
    return value.astimezone(UTC).isoformat() if value is not None else None
