"""What the reads of one collection become: resources from the shared normalisers.

Policies go through auditor.gcp.iam.normalise_policies and listings (with usage) through
auditor.gcp.estate.normalise_listings, exactly as policy files and gcloud exports do; Pub/Sub
backlog and Composer health through this package's normalisers over Monitoring JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from auditor.collectors.gcp.composer import ENVIRONMENT_KIND, HEALTHY_METRIC, normalise_health
from auditor.collectors.gcp.discovery import Hierarchy
from auditor.collectors.gcp.iam_reads import IamReader
from auditor.collectors.gcp.monitoring import MonitoringReader
from auditor.collectors.gcp.pubsub import BACKLOG_METRICS, SUBSCRIPTION_KIND, normalise_backlog
from auditor.collectors.gcp.timeseries import SeriesFormatError
from auditor.collectors.gcp.usage import (
    METRIC_OF,
    UsageRecord,
    activities,
    history_series,
    last_authentications,
    merge,
)
from auditor.gcp.activity import ACCOUNT_ACTIVITY, KEY_ACTIVITY, parse_activity
from auditor.gcp.estate import UsageCoverage
from auditor.model import Resource
from auditor.state import HistoryStore

Normalised = list[tuple[str, str, dict[str, Any]]]


class UsageAssembler:
    """Usage of every project whose accounts were listed, merged with the state store."""

    def __init__(
        self,
        source: str,
        history: HistoryStore,
        min_history_days: int,
        problem: Callable[[str], None],
    ) -> None:
        self.source = source
        self.history = history
        self.min_history_days = min_history_days
        self.problem = problem
        self.pending: list[str] = []  # project ids whose history is still too short

    def add(self, iam: IamReader, monitoring: MonitoringReader, kinds: tuple[str, ...]) -> None:
        """Activities and coverage into `iam.listings`, for projects with enough history."""
        points = []
        for project_id, accounts in sorted(iam.accounts_by_project.items()):
            for activity_type in kinds:
                query = monitoring.answered(project_id, METRIC_OF[activity_type])
                if query is None:
                    continue  # the failed query is already a problem: usage stays unknown
                found = monitoring.found(project_id, METRIC_OF[activity_type])
                try:
                    seen = last_authentications(found, activity_type, accounts, query.end)
                except SeriesFormatError as exc:
                    self.problem(f"projects/{project_id}: {activity_type} series malformed: {exc}")
                    continue
                series = history_series(project_id, activity_type)
                kept = self.history.windows(self.source, series).get(series)
                previous = UsageRecord.from_point(kept[-1][1]) if kept else None
                listed = self._listed(iam, project_id, activity_type)
                record = merge(previous, seen, query.start, query.end, listed)
                points.append((series, query.end, record.to_point()))
                if record.span().days < self.min_history_days:
                    self.pending.append(project_id)
                    continue
                for raw in activities(project_id, activity_type, record):
                    iam.listings.authentications.append(parse_activity(raw, ()))
                iam.listings.usage_coverage.append(
                    UsageCoverage(activity_type, project_id, record.until)
                )
        self.history.append(self.source, points)

    @staticmethod
    def _listed(iam: IamReader, project_id: str, activity_type: str) -> set[str] | None:
        """Accounts or keys that still exist (history of others is dropped); None to keep all
        when a key listing of the project failed."""
        accounts = iam.accounts_by_project[project_id].values()
        if activity_type == ACCOUNT_ACTIVITY:
            return {account.email for account in accounts}
        if project_id in iam.key_failures:
            return None
        emails = {account.email for account in accounts}
        return {
            f"{key.service_account_email}/keys/{key.key_id}"
            for key, _ in iam.listings.keys
            if key.service_account_email in emails
        }

    def warning(self) -> str | None:
        """Why some projects' usage is not judged yet."""
        projects = sorted(set(self.pending))
        if not projects:
            return None
        named = ", ".join(projects[:5]) + (
            f", … ({len(projects)} in all)" if len(projects) > 5 else ""
        )
        return (
            f"usage of {named} is not judged yet: the authentication history held spans less "
            f"than usage.min_history_days ({self.min_history_days}); it accumulates in the "
            "state store with every collection"
        )


def usage_kinds(keys: bool) -> tuple[str, ...]:
    """The activity types read."""
    return (ACCOUNT_ACTIVITY, KEY_ACTIVITY) if keys else (ACCOUNT_ACTIVITY,)


def monitoring_resources(
    hierarchy: Hierarchy,
    monitoring: MonitoringReader,
    source: str,
    observed_at: datetime,
    windows: tuple[int, int],
    problem: Callable[[str], None],
) -> list[Resource]:
    """pubsub.subscription and composer.environment resources of every project answered."""
    pubsub_window, composer_window = windows
    resources: list[Resource] = []
    for project in hierarchy.projects:
        pid = project.project_id
        backlog = [s for m in BACKLOG_METRICS for s in monitoring.found(pid, m)]
        health = monitoring.found(pid, HEALTHY_METRIC)
        parts: list[tuple[str, Callable[..., Normalised], list[dict[str, Any]], int]] = [
            (SUBSCRIPTION_KIND, normalise_backlog, backlog, pubsub_window),
            (ENVIRONMENT_KIND, normalise_health, health, composer_window),
        ]
        for kind, normalise, series, window in parts:
            try:
                made = normalise(series, window)
            except SeriesFormatError as exc:
                problem(f"{project.scope}: {kind} time series malformed: {exc}")
                continue
            resources.extend(
                Resource(kind, rid, source, scope, data, observed_at) for rid, scope, data in made
            )
    return resources
