"""Cloud Composer environment health from Cloud Monitoring (`environment/healthy`, written by
Composer's own liveness DAG), normalised into `composer.environment` — one query per project
covers every environment, whether or not an `airflow` source is configured for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from auditor.collectors.gcp.timeseries import Point, metric_type, points, resource_label
from auditor.gcp.fields import format_time

ENVIRONMENT_KIND = "composer.environment"
HEALTHY_METRIC = "composer.googleapis.com/environment/healthy"


def environment_data(
    project_id: str, location: str, environment: str, found: list[Point], window_seconds: int
) -> dict[str, Any]:
    """The resource data of one environment from its health points (oldest first)."""
    healthy = [bool(point.value) for point in found]
    unhealthy_since = None
    for point, ok in zip(reversed(found), reversed(healthy), strict=True):
        if ok:
            break
        unhealthy_since = point.end  # the first point of the trailing unhealthy run
    return {
        "project_id": project_id,
        "location": location,
        "environment_name": environment,
        "name": f"projects/{project_id}/locations/{location}/environments/{environment}",
        "healthy": healthy[-1] if healthy else None,
        "observed_at": format_time(found[-1].end) if found else None,
        "window_seconds": window_seconds,
        "points": len(found),
        "unhealthy_points": healthy.count(False),
        "unhealthy_since": format_time(unhealthy_since) if unhealthy_since else None,
    }


def normalise_health(
    series: Iterable[Mapping[str, Any]], window_seconds: int
) -> list[tuple[str, str, dict[str, Any]]]:
    """(id, scope, data) per environment in the health time series, sorted by id.

    Raises SeriesFormatError for a series without the shape Monitoring gives it.
    """
    found: dict[tuple[str, str, str], list[Point]] = {}
    for one in series:
        if metric_type(one) != HEALTHY_METRIC:
            continue
        key = (
            resource_label(one, "project_id"),
            resource_label(one, "location"),
            resource_label(one, "environment_name"),
        )
        merged = found.setdefault(key, [])
        merged.extend(points(one))
        merged.sort(key=lambda point: point.end)
    result = []
    for (project_id, location, environment), health in sorted(found.items()):
        data = environment_data(project_id, location, environment, health, window_seconds)
        result.append((data["name"], f"projects/{project_id}", data))
    return result
