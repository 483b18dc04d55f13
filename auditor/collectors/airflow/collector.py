"""The `airflow` collector: one Airflow or Cloud Composer environment per source.

Reads the DAG list (to the end), recent runs of all DAGs in one listing, import errors and
health; completes per DAG only what the listing could not answer; compares DAG delivery when
configured. A failing part becomes a problem; only an unreadable DAG list fails the source.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from auditor.collectors.airflow import delivery as dags_delivery
from auditor.collectors.airflow.api import (
    Dialect,
    dag_facts,
    import_error_facts,
    iso,
    parse_time,
)
from auditor.collectors.airflow.client import AirflowClient
from auditor.collectors.airflow.normalise import (
    DAG_KIND,
    ENVIRONMENT_KIND,
    IMPORT_ERROR_KIND,
    dag_data,
    dag_file,
    environment_data,
    error_summary,
    import_error_data,
    relative_file,
)
from auditor.collectors.airflow.reads import (
    complete_summary,
    detect_dialect,
    lookback_start,
    observed_pause,
    pause_time_from_events,
    recent_runs,
)
from auditor.collectors.airflow.runs import RunSummary, summarise
from auditor.collectors.airflow.settings import AirflowSettings
from auditor.collectors.base import Collection, CollectorContext, SourceError
from auditor.model import Resource

PAUSE_SERIES = "dag-paused/"


class AirflowCollector:
    """Collects one environment; the API dialect is detected once and kept."""

    settings_model = AirflowSettings

    def __init__(self, settings: AirflowSettings) -> None:
        self.settings = settings
        self.client = AirflowClient(settings)
        self._dialect: Dialect | None = None
        self._airflow_version: str | None = None

    def collect(self, context: CollectorContext) -> Collection:
        """Read the environment and return its resources; SourceError when the API cannot be
        read at all (unreachable, refused credentials, not an Airflow API)."""
        settings = self.settings
        self.client.start(settings.timeout_seconds)
        now = context.now()
        if self._dialect is None:
            self._dialect, self._airflow_version = detect_dialect(self.client, settings.api_version)
        dialect = self._dialect
        version = dialect.version
        collection = Collection()
        problems = collection.problems

        dags = [dag_facts(raw, version) for raw in self.client.paged(dialect.path("/dags"), "dags")]
        health = self._part(problems, "health", lambda: self.client.get(dialect.health_path))
        errors_raw = self._part(
            problems,
            "import errors",
            lambda: self.client.paged(dialect.path("/importErrors"), "import_errors"),
        )
        import_errors = [import_error_facts(e, version) for e in errors_raw or []]
        summaries = self._summaries(dialect, dags, now, problems)
        env = settings.environment_name
        # A DAG whose runs could not be read has unknown freshness: not "fresh".
        collection.unread.update(
            (DAG_KIND, f"{env}/{facts['dag_id']}")
            for facts in dags
            if facts["dag_id"] not in summaries
        )
        paused_since = self._paused_since(dialect, dags, context, now, problems)

        folder = settings.airflow_dags_folder
        dags_by_file: dict[str, list[str]] = defaultdict(list)
        for facts in dags:
            dags_by_file[dag_file(facts, folder) or ""].append(facts["dag_id"])
            data = dag_data(
                env,
                version,
                facts,
                summaries.get(facts["dag_id"], RunSummary()),
                dags_folder=folder,
                paused_since=paused_since.get(facts["dag_id"]),
            )
            collection.resources.append(self._resource(DAG_KIND, f"{env}/{facts['dag_id']}", data))
        for facts in import_errors:
            data = import_error_data(
                env,
                facts,
                dags_by_file.get(relative_file(facts.get("filename"), folder) or "", []),
                dags_folder=folder,
            )
            collection.resources.append(
                self._resource(IMPORT_ERROR_KIND, f"{env}/{data['file']}", data)
            )
        environment = environment_data(
            env,
            platform=settings.platform_name,
            url=settings.base_url,
            api_version=version,
            airflow_version=self._airflow_version,
            health=health if isinstance(health, dict) else None,
            dags=dags,
            import_error_count=None if errors_raw is None else len(import_errors),
        )
        collection.resources.append(self._resource(ENVIRONMENT_KIND, env, environment))
        if settings.delivery is not None:
            collection.resources.extend(self._delivery(dags, import_errors, problems))
        return collection

    def _resource(self, kind: str, resource_id: str, data: dict[str, Any]) -> Resource:
        env = self.settings.environment_name
        return Resource(kind=kind, id=resource_id, source=self.settings.name, scope=env, data=data)

    @staticmethod
    def _part(problems: list[str], what: str, read: Any) -> Any:
        """Run one optional read; its failure becomes a problem, never the source's."""
        try:
            return read()
        except SourceError as exc:
            problems.append(f"{what}: {exc}")
            return None

    def _summaries(
        self, dialect: Dialect, dags: list[dict[str, Any]], now: datetime, problems: list[str]
    ) -> dict[str, RunSummary]:
        since = lookback_start(now, self.settings.runs_lookback_hours)
        recent = self._part(problems, "DAG runs", lambda: recent_runs(self.client, dialect, since))
        if recent is None:
            return {}
        summaries: dict[str, RunSummary] = {}
        incomplete: list[str] = []
        for facts in dags:
            dag_id = facts["dag_id"]
            summary = summarise(recent.get(dag_id, []))
            summaries[dag_id] = summary
            if not summary.complete and facts.get("is_active") is not False:
                incomplete.append(dag_id)
        failed: list[str] = []
        for dag_id in incomplete:
            try:
                summaries[dag_id] = complete_summary(
                    self.client, dialect, dag_id, recent.get(dag_id, [])
                )
            except SourceError:
                failed.append(dag_id)
        if failed:
            problems.append(
                f"DAG runs: older runs unreadable for {len(failed)} DAG(s), e.g. {failed[0]}"
            )
        return summaries

    def _paused_since(
        self,
        dialect: Dialect,
        dags: list[dict[str, Any]],
        context: CollectorContext,
        now: datetime,
        problems: list[str],
    ) -> dict[str, tuple[datetime, str]]:
        """Pause times from the audit log, else from this source's own observations."""
        source = self.settings.name
        history = context.history.windows(source, PAUSE_SERIES)
        points = []
        result: dict[str, tuple[datetime, str]] = {}
        denied = False
        for facts in dags:
            dag_id, paused = facts["dag_id"], bool(facts.get("is_paused"))
            series = PAUSE_SERIES + dag_id
            previous = history[series][-1][1] if history.get(series) else None
            if not paused and not (previous and previous.get("paused")):
                continue
            point = observed_pause(previous, paused, now)
            points.append((series, now, point))
            if not paused or facts.get("is_active") is False:
                continue
            # The audit log is asked once per pause: the answer is kept with the observation.
            event_time = parse_time(point.get("event_since"))
            if event_time is None and not denied and not point.get("event_checked"):
                try:
                    event_time = pause_time_from_events(self.client, dialect, dag_id)
                    point["event_checked"] = True
                except SourceError as exc:
                    denied = True
                    problems.append(f"audit log (pause times): {exc}")
            if event_time is not None:
                point["event_since"] = iso(event_time)
            observed = parse_time(point.get("since"))
            if event_time is not None:
                result[dag_id] = (event_time, "event_log")
            elif observed is not None:
                result[dag_id] = (observed, "observed")
        context.history.append(source, points)
        return result

    def _delivery(
        self, dags: list[dict[str, Any]], import_errors: list[dict[str, Any]], problems: list[str]
    ) -> list[Resource]:
        delivery = self.settings.delivery
        assert delivery is not None
        folder = self.settings.airflow_dags_folder
        try:
            git = dags_delivery.read_git_folder(delivery.git_dags_folder, delivery.ignore)
            bucket = dags_delivery.list_bucket(delivery, self.settings.request_timeout_seconds)
        except SourceError as exc:
            problems.append(str(exc))
            return []
        parsed: dict[str, dags_delivery.ParsedFile] = defaultdict(dags_delivery.ParsedFile)
        for facts in dags:
            entry = parsed[dag_file(facts, folder) or ""]
            entry.dag_ids.append(facts["dag_id"])
            at = parse_time(facts.get("last_parsed_time"))
            if at is not None and (entry.parsed_at is None or at > entry.parsed_at):
                entry.parsed_at = at
        for facts in import_errors:
            entry = parsed[relative_file(facts.get("filename"), folder) or ""]
            entry.import_error = error_summary(facts.get("stack_trace"))
            entry.import_error_at = parse_time(facts.get("timestamp"))
        env = self.settings.environment_name
        return [
            self._resource(dags_delivery.DAG_FILE_KIND, f"{env}/{data['path']}", data)
            for data in dags_delivery.compare(env, delivery, git, bucket, parsed)
        ]

    def close(self) -> None:
        """Close the HTTP session."""
        self.client.close()
