"""Cloud Monitoring time series in their REST JSON shape, for seeding the fake."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

ACCOUNT_AUTHN = "iam.googleapis.com/service_account/authn_events_count"
KEY_AUTHN = "iam.googleapis.com/service_account/key/authn_events_count"
UNDELIVERED = "pubsub.googleapis.com/subscription/num_undelivered_messages"
OLDEST_AGE = "pubsub.googleapis.com/subscription/oldest_unacked_message_age"
COMPOSER_HEALTHY = "composer.googleapis.com/environment/healthy"


def stamp(moment: datetime) -> str:
    """RFC 3339, UTC, whole seconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _series(
    metric: str,
    metric_labels: dict[str, str],
    resource: str,
    resource_labels: dict[str, str],
    kind: str,
    value_type: str,
    points: list[dict[str, Any]],
) -> dict[str, Any]:
    series: dict[str, Any] = {
        "metric": {"type": metric},
        "resource": {"type": resource, "labels": resource_labels},
        "metricKind": kind,
        "valueType": value_type,
        "points": points,
    }
    if metric_labels:
        series["metric"]["labels"] = metric_labels
    return series


def authentications(
    project_id: str,
    unique_id: str,
    events: Iterable[tuple[datetime, int]],
    key_id: str | None = None,
) -> dict[str, Any]:
    """A DELTA count of authentications of an account (or one of its keys), one point per
    sampling period with events (sampled every 600 s)."""
    points = [
        {
            "interval": {"startTime": stamp(at - timedelta(seconds=600)), "endTime": stamp(at)},
            "value": {"int64Value": str(count)},
        }
        for at, count in events
    ]
    return _series(
        KEY_AUTHN if key_id else ACCOUNT_AUTHN,
        {"key_id": key_id} if key_id else {},
        "iam_service_account",
        {"project_id": project_id, "unique_id": unique_id, "location": "global"},
        "DELTA",
        "INT64",
        points,
    )


def gauge_points(now: datetime, values: list[int | bool], every: int = 60) -> list[dict[str, Any]]:
    """Gauge points ending at now − (n−1−i)·every for the i-th value (oldest first)."""
    count = len(values)
    points = []
    for index, value in enumerate(values):
        at = stamp(now - timedelta(seconds=(count - 1 - index) * every + 30))
        typed = {"boolValue": value} if isinstance(value, bool) else {"int64Value": str(value)}
        points.append({"interval": {"startTime": at, "endTime": at}, "value": typed})
    return points


def backlog(
    now: datetime, project_id: str, subscription_id: str, undelivered: list[int], ages: list[int]
) -> list[dict[str, Any]]:
    """The two backlog gauges of a subscription, one point a minute up to now."""
    labels = {"project_id": project_id, "subscription_id": subscription_id}
    return [
        _series(
            UNDELIVERED,
            {},
            "pubsub_subscription",
            labels,
            "GAUGE",
            "INT64",
            gauge_points(now, undelivered),
        ),
        _series(
            OLDEST_AGE, {}, "pubsub_subscription", labels, "GAUGE", "INT64", gauge_points(now, ages)
        ),
    ]


def composer_health(
    now: datetime, project_id: str, location: str, environment: str, healthy: list[bool]
) -> dict[str, Any]:
    """Composer's `environment/healthy` gauge, one point a minute up to now."""
    labels = {"project_id": project_id, "location": location, "environment_name": environment}
    return _series(
        COMPOSER_HEALTHY,
        {},
        "cloud_composer_environment",
        labels,
        "GAUGE",
        "BOOL",
        gauge_points(now, healthy),
    )
