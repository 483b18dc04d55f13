"""The MySQL collector: every instance of the source in parallel, each failure on its own.

An instance that cannot be read (down, killed mid-collection, bad password) becomes a problem
of the source — partially read — and keeps its last-read resources, marked `stale`, so its
findings are neither resolved nor silently dropped. Only when no instance answers is the
source down.
"""

from __future__ import annotations

import concurrent.futures
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog

from auditor.collectors.base import Collection, CollectorContext, SourceError
from auditor.collectors.mysql.normalise import instance_scope, normalise_instance
from auditor.collectors.mysql.reader import read_instance
from auditor.collectors.mysql.replication import CHANNEL_KIND
from auditor.collectors.mysql.server import SERVER_KIND, unreachable_server
from auditor.collectors.mysql.session import Session
from auditor.collectors.mysql.settings import InstanceSettings, MysqlSettings
from auditor.model import Resource

log = structlog.get_logger(__name__)
HISTORY_PREFIX = "mysql.instance."


@dataclass(slots=True)
class InstanceOutcome:
    """One instance's resources, or why it could not be read."""

    instance: InstanceSettings
    resources: list[Resource] = field(default_factory=list)
    error: SourceError | None = None


def _serialise(resources: list[Resource]) -> list[dict[str, Any]]:
    return [
        {
            "kind": r.kind,
            "id": r.id,
            "scope": r.scope,
            "data": r.data,
            "observed_at": r.observed_at.isoformat() if r.observed_at else None,
        }
        for r in resources
    ]


class MysqlCollector:
    """Reads the instances of one `type: mysql` source."""

    settings_model = MysqlSettings

    def __init__(self, settings: MysqlSettings) -> None:
        self.settings = settings
        # One open connection per instance, reused across collections as mysqld_exporter's
        # pool is: a fresh login costs more than every query of a check together.
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def _session(self, instance: InstanceSettings) -> Session:
        with self._lock:
            session = self._sessions.pop(instance.name, None)
        if session is not None and session.alive():
            return session
        if session is not None:
            session.close()
        password = instance.password.read() if instance.password else ""
        return Session(instance, password)

    def _read(
        self, instance: InstanceSettings, observed_at: datetime, known: list[str]
    ) -> InstanceOutcome:
        try:
            session = self._session(instance)
            try:
                rows = read_instance(session, self.settings.heartbeat)
            except BaseException:
                session.close()
                raise
        except SourceError as exc:
            return InstanceOutcome(instance, error=exc)
        with self._lock:
            previous = self._sessions.pop(instance.name, None)
            self._sessions[instance.name] = session
        if previous is not None:
            previous.close()
        resources = normalise_instance(self.settings, instance, rows, observed_at, known)
        return InstanceOutcome(instance, resources)

    def collect(self, context: CollectorContext) -> Collection:
        """Read every instance; a failed one is a problem, all failed is a SourceError."""
        observed_at = context.now()
        history = context.history.windows(self.settings.name, HISTORY_PREFIX)
        last: dict[str, dict[str, Any]] = {
            name[len(HISTORY_PREFIX) :]: points[-1][1] for name, points in history.items() if points
        }
        instances = self.settings.instances
        workers = min(self.settings.max_parallel_instances, len(instances))
        with concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="mysql") as pool:
            outcomes = list(
                pool.map(
                    lambda i: self._read(i, observed_at, last.get(i.name, {}).get("channels", [])),
                    instances,
                )
            )
        failed = [o for o in outcomes if o.error is not None]
        if len(failed) == len(outcomes):
            reasons = "; ".join(str(o.error) for o in failed)
            kinds = {o.error.kind for o in failed if o.error is not None}
            raise SourceError(kinds.pop() if len(kinds) == 1 else "unreachable", reasons)
        collection = Collection()
        points = []
        for outcome in outcomes:
            if outcome.error is None:
                collection.resources.extend(outcome.resources)
                points.append(
                    (
                        HISTORY_PREFIX + outcome.instance.name,
                        observed_at,
                        _memory(outcome.resources),
                    )
                )
                self._note_missing_grants(outcome, collection)
            else:
                collection.problems.append(str(outcome.error))
                collection.resources.extend(
                    self._retained(outcome, last.get(outcome.instance.name), observed_at)
                )
                log.warning(
                    "mysql instance not read",
                    source=self.settings.name,
                    instance=outcome.instance.name,
                    kind=outcome.error.kind,
                )
        context.history.append(self.settings.name, points)
        return collection

    def _note_missing_grants(self, outcome: InstanceOutcome, collection: Collection) -> None:
        for resource in outcome.resources:
            if resource.kind == SERVER_KIND and resource.data["missing_grants"]:
                grants = ", ".join(resource.data["missing_grants"])
                collection.problems.append(
                    f"{outcome.instance.name}: the monitoring account lacks {grants}; "
                    "those parts were not read"
                )

    def _retained(
        self, outcome: InstanceOutcome, memory: dict[str, Any] | None, observed_at: datetime
    ) -> list[Resource]:
        """The server as unreachable now, plus the instance's last-read resources, stale."""
        assert outcome.error is not None
        instance = outcome.instance
        scope = instance_scope(self.settings.name, instance)
        remembered = (memory or {}).get("resources", [])
        server = unreachable_server(
            instance, outcome.error.kind, str(outcome.error), (memory or {}).get("role")
        )
        for item in remembered:
            if item["kind"] == SERVER_KIND:  # keep what was last known, say it is unreachable
                server = {
                    **item["data"],
                    **{k: server[k] for k in ("reachable", "error_kind", "error")},
                }
        retained = [
            Resource(
                SERVER_KIND,
                scope,
                self.settings.name,
                scope,
                {**server, "stale": bool(remembered)},
                observed_at,
            )
        ]
        for item in remembered:
            if item["kind"] == SERVER_KIND:
                continue
            seen = item.get("observed_at")
            retained.append(
                Resource(
                    kind=item["kind"],
                    id=item["id"],
                    source=self.settings.name,
                    scope=item["scope"],
                    data={**item["data"], "stale": True},
                    observed_at=datetime.fromisoformat(seen) if seen else None,
                )
            )
        return retained

    def close(self) -> None:
        """Close the instances' open connections."""
        with self._lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            session.close()


def _memory(resources: list[Resource]) -> dict[str, Any]:
    """What the next collection needs if this instance then fails: role, channels, resources."""
    role = next((r.data["role"] for r in resources if r.kind == SERVER_KIND), None)
    channels = sorted({r.data["channel"] for r in resources if r.kind == CHANNEL_KIND})
    return {"role": role, "channels": channels, "resources": _serialise(resources)}
