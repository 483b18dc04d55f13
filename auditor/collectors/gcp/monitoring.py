"""Cloud Monitoring reads: one ListTimeSeries per project and metric (Monitoring asks for a
single metric type per query), paged to the end, kept as REST JSON for the pure normalisers.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from google.cloud import monitoring_v3
from google.protobuf import duration_pb2, timestamp_pb2  # type: ignore[import-untyped]

from auditor.collectors.gcp.calls import Api, ApiCaller, CallFailed, Method, first_page
from auditor.collectors.gcp.clients import GcpClients
from auditor.collectors.gcp.composer import HEALTHY_METRIC
from auditor.collectors.gcp.discovery import Project
from auditor.collectors.gcp.messages import as_json, unwrapped
from auditor.collectors.gcp.pubsub import BACKLOG_METRICS
from auditor.collectors.gcp.settings import GcpSettings
from auditor.collectors.gcp.tasks import Tasks
from auditor.collectors.gcp.usage import ACCOUNT_METRIC, KEY_METRIC


@dataclass(frozen=True, slots=True)
class Query:
    """One metric of one project over a window ending now, optionally summed per bucket."""

    project_id: str
    metric: str
    start: datetime
    end: datetime
    bucket_seconds: int | None = None


_WHAT = {
    ACCOUNT_METRIC: "service account usage",
    KEY_METRIC: "key usage",
    HEALTHY_METRIC: "Composer health",
    **{metric: "Pub/Sub backlog" for metric in BACKLOG_METRICS},
}


class MonitoringReader:
    """Runs the queries of one collection; `answered` says which completed."""

    def __init__(
        self, settings: GcpSettings, clients: GcpClients, caller: ApiCaller, tasks: Tasks
    ) -> None:
        self.settings = settings
        self.clients = clients
        self.caller = caller
        self.tasks = tasks
        self.series: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.windows: dict[tuple[str, str], Query] = {}
        self._lock = threading.Lock()

    def start(self, projects: list[Project], now: datetime) -> None:
        """Submit every query for `projects`."""
        settings, parts = self.settings, self.settings.collect
        # Authentication counts appear up to 3 hours late: ending their query at the last whole
        # hour loses nothing, and keeps usage facts (and findings' text) stable within the hour.
        hour = now.replace(minute=0, second=0, microsecond=0)
        lookback = hour - timedelta(days=settings.usage.lookback_days)
        bucket = settings.usage.alignment_hours * 3600
        queries: list[Query] = []
        for project in projects:
            pid = project.project_id
            if parts.usage:
                queries.append(Query(pid, ACCOUNT_METRIC, lookback, hour, bucket))
                if parts.keys:
                    queries.append(Query(pid, KEY_METRIC, lookback, hour, bucket))
            if parts.pubsub:
                start = now - timedelta(minutes=settings.pubsub.window_minutes)
                queries.extend(Query(pid, metric, start, now) for metric in BACKLOG_METRICS)
            if parts.composer:
                start = now - timedelta(minutes=settings.composer.window_minutes)
                queries.append(Query(pid, HEALTHY_METRIC, start, now))
        for query in queries:
            self.tasks.submit(Api.MONITORING, self._run, query)

    def answered(self, project_id: str, metric: str) -> Query | None:
        """The query of `metric` for the project, when it was read to the end."""
        with self._lock:
            return self.windows.get((project_id, metric))

    def found(self, project_id: str, metric: str) -> list[dict[str, Any]]:
        """The series a completed query returned."""
        with self._lock:
            return list(self.series.get((project_id, metric), []))

    def _request(self, query: Query, token: str) -> monitoring_v3.ListTimeSeriesRequest:
        start, end = timestamp_pb2.Timestamp(), timestamp_pb2.Timestamp()
        start.FromDatetime(query.start)
        end.FromDatetime(query.end)
        request = monitoring_v3.ListTimeSeriesRequest(
            name=f"projects/{query.project_id}",
            filter=f'metric.type = "{query.metric}"',
            interval=monitoring_v3.TimeInterval(start_time=start, end_time=end),
            view=monitoring_v3.ListTimeSeriesRequest.TimeSeriesView.FULL,
            page_size=self.settings.monitoring_page_size,
            page_token=token,
        )
        if query.bucket_seconds:
            request.aggregation = monitoring_v3.Aggregation(
                alignment_period=duration_pb2.Duration(seconds=query.bucket_seconds),
                per_series_aligner=monitoring_v3.Aggregation.Aligner.ALIGN_SUM,
            )
        return request

    def _run(self, query: Query) -> None:
        target = f"projects/{query.project_id}"
        client = self.clients.monitoring

        def fetch(token: str, timeout: float) -> Any:
            request = self._request(query, token)
            return first_page(client.list_time_series(request=request, retry=None, timeout=timeout))

        found: list[dict[str, Any]] = []
        try:
            for page in self.caller.pages(Api.MONITORING, Method.LIST_TIME_SERIES, target, fetch):
                found.extend(as_json(series) for series in unwrapped(page).time_series)
        except CallFailed as failure:
            raise failure.so(f"its {_WHAT[query.metric]} ({query.metric}) is not known") from None
        with self._lock:
            self.series[(query.project_id, query.metric)] = found
            self.windows[(query.project_id, query.metric)] = query
