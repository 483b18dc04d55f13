"""Cloud Monitoring time series in their REST JSON shape (what `gcloud monitoring` and the
ListTimeSeries REST method return), read into plain points. Pure: unit-tested on recorded JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from auditor.gcp.fields import parse_time


class SeriesFormatError(ValueError):
    """A time series without the shape Monitoring gives it."""


@dataclass(frozen=True, slots=True)
class Point:
    """One point: the end of its interval and its value."""

    end: datetime
    value: int | float | bool


def metric_type(series: Mapping[str, Any]) -> str:
    """`metric.type`."""
    metric = series.get("metric")
    kind = metric.get("type") if isinstance(metric, Mapping) else None
    if not isinstance(kind, str) or not kind:
        raise SeriesFormatError("a time series without metric.type")
    return kind


def _labels(series: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    part = series.get(where)
    labels = part.get("labels") if isinstance(part, Mapping) else None
    return labels if isinstance(labels, Mapping) else {}


def resource_label(series: Mapping[str, Any], key: str) -> str:
    """`resource.labels.KEY`; SeriesFormatError when missing."""
    value = _labels(series, "resource").get(key)
    if not isinstance(value, str) or not value:
        raise SeriesFormatError(f"a {metric_type(series)} series without resource.labels.{key}")
    return value


def metric_label(series: Mapping[str, Any], key: str) -> str:
    """`metric.labels.KEY`; SeriesFormatError when missing."""
    value = _labels(series, "metric").get(key)
    if not isinstance(value, str) or not value:
        raise SeriesFormatError(f"a {metric_type(series)} series without metric.labels.{key}")
    return value


def _value(raw: Any) -> int | float | bool:
    if not isinstance(raw, Mapping):
        raise SeriesFormatError("a point without a value")
    if "boolValue" in raw:
        return bool(raw["boolValue"])
    if "int64Value" in raw:
        return int(raw["int64Value"])  # a string in JSON (64-bit)
    if "doubleValue" in raw:
        return float(raw["doubleValue"])
    raise SeriesFormatError("a point whose value is not bool, int64 or double")


def points(series: Mapping[str, Any]) -> list[Point]:
    """The series' points, oldest first (Monitoring returns newest first)."""
    raw_points = series.get("points") or []
    if not isinstance(raw_points, list):
        raise SeriesFormatError("points is not a list")
    result = []
    for raw in raw_points:
        interval = raw.get("interval") if isinstance(raw, Mapping) else None
        end_text = interval.get("endTime") if isinstance(interval, Mapping) else None
        end = parse_time(end_text) if isinstance(end_text, str) else None
        if end is None:
            raise SeriesFormatError("a point without interval.endTime")
        try:
            value = _value(raw.get("value"))
        except (TypeError, ValueError) as exc:
            raise SeriesFormatError(f"a point with a bad value ({exc})") from None
        result.append(Point(end, value))
    result.sort(key=lambda point: point.end)
    return result
