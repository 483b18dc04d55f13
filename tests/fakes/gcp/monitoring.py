"""A fake Cloud Monitoring v3 gRPC MetricService: ListTimeSeries over stored series.

Faithful where the collector depends on it: the filter must name exactly one metric type,
points are those whose end lies in (startTime, endTime], ALIGN_SUM sums them into buckets of
the alignment period counted back from endTime, points come newest first, and `page_size`
with the FULL view counts points (whole series per page, as many as fit).
"""

from __future__ import annotations

import base64
import functools
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
from google.cloud import monitoring_v3

from tests.fakes.gcp.estate import FakeOrganization
from tests.fakes.gcp.faults import FakeRecord
from tests.fakes.gcp.grpc_service import GrpcFake, Rpc, RpcError

SERVICE = "google.monitoring.v3.MetricService"
MAX_POINTS = 100000
_CLAUSE = re.compile(r'^\s*(?P<field>[a-z_.]+)\s*=\s*"(?P<value>[^"]*)"\s*$')


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@functools.lru_cache(maxsize=4096)  # the same series is asked for collection after collection
def _message(text: str) -> Any:
    """A series' REST JSON as the message sent (the caller copies it into its response)."""
    return monitoring_v3.TimeSeries.from_json(text, ignore_unknown_fields=True)


def parse_filter(text: str) -> dict[str, str]:
    """`metric.type = "X" AND resource.labels.k = "v"` → {field: value}; exactly one metric
    type, as the real API demands."""
    clauses: dict[str, str] = {}
    for part in re.split(r"\s+AND\s+", text.strip()):
        match = _CLAUSE.match(part)
        if not match:
            raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, f"Could not parse filter {text!r}.")
        if match["field"] in clauses:
            raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, f"Repeated {match['field']}.")
        clauses[match["field"]] = match["value"]
    if "metric.type" not in clauses:
        raise RpcError(
            grpc.StatusCode.INVALID_ARGUMENT, "A filter must specify exactly one metric type."
        )
    return clauses


def _matches(series: dict[str, Any], clauses: dict[str, str]) -> bool:
    for field, value in clauses.items():
        if field == "metric.type":
            found = series["metric"]["type"]
        elif field == "resource.type":
            found = series["resource"]["type"]
        else:
            where, _, key = field.partition(".labels.")
            found = series.get(where, {}).get("labels", {}).get(key)
        if found != value:
            return False
    return True


class MonitoringFake:
    """Builds the GrpcFake for an organization's time series."""

    def __init__(self, org: FakeOrganization, record: FakeRecord, latency: float = 0.0) -> None:
        self.org = org
        self._indexed: list[dict[str, Any]] | None = None
        self._index: dict[tuple[str, str], list[dict[str, Any]]] = {}
        rpcs = {
            "ListTimeSeries": Rpc(
                monitoring_v3.ListTimeSeriesRequest,
                monitoring_v3.ListTimeSeriesResponse,
                lambda r: r.name,
                self.list_time_series,
            )
        }
        self.grpc = GrpcFake(SERVICE, rpcs, record, latency)

    def _of(self, project: str, metric: str) -> list[dict[str, Any]]:
        """The organization's series of one project and metric type, from an index rebuilt
        whenever the organization or its list of series is replaced (so a fake serving
        thousands of queries does not scan every series for each)."""
        series = self.org.time_series
        if self._indexed is not series:
            index: dict[tuple[str, str], list[dict[str, Any]]] = {}
            for one in series:
                key = (one["resource"].get("labels", {}).get("project_id"), one["metric"]["type"])
                index.setdefault(key, []).append(one)
            self._index, self._indexed = index, series
        return self._index.get((project, metric), [])

    def list_time_series(self, request: Any) -> Any:
        request = monitoring_v3.ListTimeSeriesRequest.pb(request)  # raw fields: cheaper reads
        project = request.name.removeprefix("projects/")
        clauses = parse_filter(request.filter)
        interval = request.interval
        if not interval.HasField("end_time"):
            raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, "interval.endTime is required.")
        end = interval.end_time.ToDatetime(tzinfo=UTC)
        start = (
            interval.start_time.ToDatetime(tzinfo=UTC) if interval.HasField("start_time") else end
        )
        bucket = request.aggregation.alignment_period.ToTimedelta() or None
        summed = (
            request.aggregation.per_series_aligner == monitoring_v3.Aggregation.Aligner.ALIGN_SUM
        )
        chosen = []
        for series in self._of(project, clauses["metric.type"]):
            if not _matches(series, clauses):
                continue
            points = [
                p
                for p in series.get("points", [])
                if start < _time(p["interval"]["endTime"]) <= end
            ]
            if summed and bucket:
                points = self._sum(points, end, bucket)
            points.sort(key=lambda p: p["interval"]["endTime"], reverse=True)
            if points:
                chosen.append({**series, "points": points})
        chosen.sort(key=lambda s: json.dumps([s["metric"], s["resource"]], sort_keys=True))
        return self._page(chosen, request)

    @staticmethod
    def _sum(
        points: list[dict[str, Any]], end: datetime, bucket: timedelta
    ) -> list[dict[str, Any]]:
        totals: dict[int, int] = {}
        for point in points:
            index = int((end - _time(point["interval"]["endTime"])) / bucket)
            totals[index] = totals.get(index, 0) + int(point["value"].get("int64Value", 0))
        return [
            {
                "interval": {
                    "startTime": _text(end - (index + 1) * bucket),
                    "endTime": _text(end - index * bucket),
                },
                "value": {"int64Value": str(total)},
            }
            for index, total in totals.items()
        ]

    @staticmethod
    def _page(chosen: list[dict[str, Any]], request: Any) -> Any:
        size = min(request.page_size or MAX_POINTS, MAX_POINTS)
        start = (
            int(base64.urlsafe_b64decode(request.page_token.encode()).decode())
            if request.page_token
            else 0
        )
        page, points, index = [], 0, start
        while index < len(chosen):
            count = len(chosen[index]["points"])
            if page and points + count > size:
                break
            page.append(chosen[index])
            points += count
            index += 1
        token = (
            base64.urlsafe_b64encode(str(index).encode()).decode() if index < len(chosen) else ""
        )
        return monitoring_v3.ListTimeSeriesResponse(
            time_series=[_message(json.dumps(s)) for s in page],
            next_page_token=token,
        )
