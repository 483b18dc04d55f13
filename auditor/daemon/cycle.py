"""One source's cycle: collect, evaluate its resources, apply waivers, record the lifecycle
and enqueue notifications, publish the snapshot."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from auditor.collectors.base import Collector, CollectorContext, SourceSettings
from auditor.collectors.registry import CollectorSetupError, create_collector
from auditor.collectors.runner import (
    SOURCE_KIND,
    SourceResult,
    close_collector,
    run_collection,
    source_resource,
)
from auditor.daemon.delivery import notifier
from auditor.daemon.rules import RuleSet
from auditor.daemon.sinks import Sink
from auditor.daemon.snapshot import DaemonSnapshot, SourceView
from auditor.k8s.exemptions import apply_container_waivers
from auditor.model import EvaluationError, Finding, SourceHealth
from auditor.state import StateStore
from auditor.waivers import Waiver, apply_waivers

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class CycleOutcome:
    """What one cycle of one source produced (for --once's exit code and logs)."""

    source: str
    up: bool
    findings: list[Finding] = field(default_factory=list)
    errors: list[EvaluationError] = field(default_factory=list)


class SourceCycle:
    """Runs the cycles of one source; its collector lives as long as the daemon."""

    def __init__(
        self,
        settings: SourceSettings,
        *,
        rules: Callable[[], RuleSet],
        waivers: Sequence[Waiver],
        store: StateStore,
        snapshot: DaemonSnapshot,
        sinks: Sequence[Sink],
        now: Callable[[], datetime],
        resolved_window: timedelta,
    ) -> None:
        self.settings = settings
        self.rules = rules
        self.waivers = list(waivers)
        self.store = store
        self.snapshot = snapshot
        self.sinks = list(sinks)
        self.now = now
        self.resolved_window = resolved_window
        self._collector: Collector | None = None
        self._config_error = ""
        self._last_success: datetime | None = None
        self._lock = threading.Lock()  # a second run of the same source waits, never overlaps

    def _collect(self) -> SourceResult:
        context = CollectorContext(now=self.now, history=self.store)
        if self._collector is None and not self._config_error:
            try:
                self._collector = create_collector(self.settings)
            except CollectorSetupError as exc:
                self._config_error = str(exc)
        if self._collector is None:
            result = SourceResult(
                health=SourceHealth(
                    name=self.settings.name,
                    type=self.settings.type,
                    up=False,
                    error=self._config_error,
                ),
                error_kind="config",
            )
            result.resources.append(source_resource(result, self.now()))
            return result
        return run_collection(
            self.settings.name,
            self.settings.type,
            self._collector,
            context,
            timeout_seconds=self.settings.timeout_seconds,
            last_success=self._last_success,
        )

    def run(self) -> CycleOutcome:
        """One cycle; every failure inside it becomes source health, not an exception."""
        with self._lock:
            result = self._collect()
            at = self.now()
            up = result.health.up
            if up:
                self._last_success = result.health.last_success
            # A down source is judged only on its `auditor.source` resource: its last good
            # resources are kept (stale) for metrics, not re-judged.
            judged = (
                result.resources if up else [r for r in result.resources if r.kind == SOURCE_KIND]
            )
            rules = self.rules()
            container_waivers = [w for w in self.waivers if w.spec.container is not None]
            if container_waivers:
                apply_container_waivers(judged, container_waivers, list(rules.rule_ids), at.date())
            evaluation = rules.engine.evaluate(judged, at)
            apply_waivers(evaluation.findings, self.waivers, at.date())
            changes = self.store.record_cycle(
                self.settings.name,
                evaluation.findings,
                at,
                source_up=up,
                notify=notifier(
                    self.sinks,
                    self.store,
                    resolved_window=self.resolved_window,
                    stale=not up,
                    interval_seconds=self.settings.interval_seconds,
                ),
                # Read in part: findings of what was not read are kept (stale), not resolved.
                read=(
                    {(r.kind, r.id) for r in result.resources} - result.unread
                    if result.problems
                    else None
                ),
            )
            self.snapshot.publish(
                SourceView(
                    health=result.health,
                    resources=tuple(result.resources),
                    stale=not up,
                    cycle_at=at,
                    evaluation_errors=len(evaluation.errors),
                    interval_seconds=self.settings.interval_seconds,
                )
            )
            log.info(
                "source cycle",
                source=self.settings.name,
                up=up,
                resources=len(result.resources),
                findings=len(evaluation.findings),
                new=len(changes.new),
                resolved=len(changes.resolved),
                errors=len(evaluation.errors),
            )
            return CycleOutcome(
                source=self.settings.name,
                up=up,
                findings=evaluation.findings,
                errors=evaluation.errors,
            )

    def close(self) -> None:
        """Close the collector's connections."""
        with self._lock:
            if self._collector is not None:
                close_collector(self._collector, self.settings.name)
                self._collector = None
