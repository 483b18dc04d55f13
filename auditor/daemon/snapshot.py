"""What the daemon last saw: per source, its health and resources (stale while it is down).

The metrics collector and the HTTP endpoints read this; each source's cycle replaces its own
entry whole, so a reader never sees half a cycle.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import datetime

from auditor.model import Resource, SourceHealth


@dataclass(frozen=True, slots=True)
class SourceView:
    """One source after its latest cycle.

    `resources` are from the last successful collection; `stale` is true when the latest
    collection failed and they are kept as they were.
    """

    health: SourceHealth
    resources: tuple[Resource, ...]
    stale: bool
    cycle_at: datetime
    errors_total: int = 0
    evaluation_errors: int = 0
    interval_seconds: float | None = None  # how often the daemon collects the source


@dataclass(slots=True)
class DaemonSnapshot:
    """The newest SourceView of every source, shared between scheduler and HTTP threads."""

    expected_sources: frozenset[str] = frozenset()
    _views: dict[str, SourceView] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def publish(self, view: SourceView) -> SourceView:
        """Replace the source's view; a failed collection keeps the previous resources, stale.

        Returns the view actually stored (with carried-over resources and error count).
        """
        with self._lock:
            previous = self._views.get(view.health.name)
            errors = (previous.errors_total if previous else 0) + (0 if view.health.up else 1)
            stored = replace(view, errors_total=errors)
            if not view.health.up and previous is not None:
                kept = tuple(r for r in previous.resources if r.kind != "auditor.source")
                own = tuple(r for r in view.resources if r.kind == "auditor.source")
                stored = replace(stored, resources=kept + own, stale=True)
            self._views[view.health.name] = stored
            return stored

    def views(self) -> list[SourceView]:
        """Every source's view, by source name."""
        with self._lock:
            return [self._views[name] for name in sorted(self._views)]

    def first_cycle_done(self) -> bool:
        """True once every expected source has finished at least one cycle."""
        with self._lock:
            return self.expected_sources <= set(self._views)
