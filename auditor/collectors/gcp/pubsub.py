"""Pub/Sub subscription backlog from Cloud Monitoring, normalised into `pubsub.subscription`.

Pub/Sub samples `num_undelivered_messages` and `oldest_unacked_message_age` every 60 s and a
sample can take 120 s to appear, so the collector reads a window of at least 5 minutes and
takes its newest point as the current value; the window's first point gives the trend. Both
growing means subscribers are not keeping up; the age growing as fast as the clock while the
backlog stays flat means messages are stuck (nacked or failing forever). See
docs/resource-kinds/gcp.md for the fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.collectors.gcp.timeseries import Point, metric_type, points, resource_label
from auditor.gcp.fields import format_time

SUBSCRIPTION_KIND = "pubsub.subscription"
UNDELIVERED_METRIC = "pubsub.googleapis.com/subscription/num_undelivered_messages"
OLDEST_AGE_METRIC = "pubsub.googleapis.com/subscription/oldest_unacked_message_age"
BACKLOG_METRICS = (UNDELIVERED_METRIC, OLDEST_AGE_METRIC)


@dataclass(slots=True)
class _Subscription:
    project_id: str
    subscription_id: str
    series: dict[str, list[Point]] = field(default_factory=dict)


def _ints(found: list[Point] | None) -> list[tuple[Point, int]]:
    return [(point, int(point.value)) for point in found or []]


def subscription_data(
    project_id: str, subscription_id: str, series: Mapping[str, list[Point]], window_seconds: int
) -> dict[str, Any]:
    """The resource data of one subscription from its two metrics' points (oldest first)."""
    backlog = _ints(series.get(UNDELIVERED_METRIC))
    age = _ints(series.get(OLDEST_AGE_METRIC))
    newest = [values[-1][0].end for values in (backlog, age) if values]
    trend = age if len(age) >= 2 else backlog
    return {
        "project_id": project_id,
        "subscription_id": subscription_id,
        "name": f"projects/{project_id}/subscriptions/{subscription_id}",
        "num_undelivered_messages": backlog[-1][1] if backlog else None,
        "oldest_unacked_message_age_seconds": age[-1][1] if age else None,
        "observed_at": format_time(max(newest)) if newest else None,
        "window_seconds": window_seconds,
        "points": len(backlog),
        "num_undelivered_messages_window_start": backlog[0][1] if backlog else None,
        "oldest_unacked_message_age_seconds_window_start": age[0][1] if age else None,
        "undelivered_growth": backlog[-1][1] - backlog[0][1] if len(backlog) >= 2 else None,
        "age_growth_seconds": age[-1][1] - age[0][1] if len(age) >= 2 else None,
        "span_seconds": (
            int((trend[-1][0].end - trend[0][0].end).total_seconds()) if len(trend) >= 2 else None
        ),
    }


def normalise_backlog(
    series: Iterable[Mapping[str, Any]], window_seconds: int
) -> list[tuple[str, str, dict[str, Any]]]:
    """(id, scope, data) per subscription found in the backlog time series, sorted by id.

    Raises SeriesFormatError for a series without the shape Monitoring gives it.
    """
    found: dict[tuple[str, str], _Subscription] = {}
    for one in series:
        kind = metric_type(one)
        if kind not in BACKLOG_METRICS:
            continue
        project_id = resource_label(one, "project_id")
        subscription_id = resource_label(one, "subscription_id")
        entry = found.setdefault(
            (project_id, subscription_id), _Subscription(project_id, subscription_id)
        )
        merged = entry.series.setdefault(kind, [])
        merged.extend(points(one))
        merged.sort(key=lambda point: point.end)
    result = []
    for (project_id, subscription_id), entry in sorted(found.items()):
        data = subscription_data(project_id, subscription_id, entry.series, window_seconds)
        result.append((data["name"], f"projects/{project_id}", data))
    return result
