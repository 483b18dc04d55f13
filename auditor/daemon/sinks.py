"""Notification sinks (Slack, Alertmanager …), found through the entry-point group
`auditor.sinks` so the core never imports the `exporters` package.

A sink turns one source's cycle into outbox payloads (at enqueue time, inside the lifecycle
transaction) and later delivers each payload (outside it, with retries).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import entry_points
from typing import Any, Protocol, runtime_checkable

from auditor.config import DaemonConfig
from auditor.errors import ConfigError
from auditor.lifecycle import TrackedFinding

SINK_ENTRY_POINT_GROUP = "auditor.sinks"


@dataclass(frozen=True, slots=True)
class CycleNotice:
    """What one source's cycle means for notifications."""

    source: str
    at: datetime
    new: list[TrackedFinding] = field(default_factory=list)
    resolved: list[TrackedFinding] = field(default_factory=list)
    open: list[TrackedFinding] = field(default_factory=list)  # the source's open findings now
    recently_resolved: list[TrackedFinding] = field(default_factory=list)
    stale: bool = False
    interval_seconds: float = 60.0  # the source's schedule: how long an alert must last


@dataclass(frozen=True, slots=True)
class Delivery:
    """The outcome of one delivery attempt.

    `retry_after` (seconds) is the receiver's own answer (HTTP 429 Retry-After); without it a
    failed attempt is retried with exponential backoff. `permanent` failures are not retried.
    """

    ok: bool
    error: str = ""
    retry_after: float | None = None
    permanent: bool = False


@runtime_checkable
class Sink(Protocol):
    """One notification target."""

    name: str
    # True: the newest payload carries the whole state; older undelivered ones are dropped.
    replace_pending: bool

    def payloads(self, notice: CycleNotice) -> list[dict[str, Any]]:
        """The messages this cycle needs (empty: nothing to say). Pure: no I/O."""
        ...

    def deliver(self, payload: dict[str, Any]) -> Delivery:
        """Send one payload; never raises for network or HTTP failures."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def load_sinks(config: DaemonConfig) -> list[Sink]:
    """A sink for every configured notification target."""
    wanted = {
        name: settings
        for name, settings in (
            ("slack", config.notifications.slack),
            ("alertmanager", config.notifications.alertmanager),
        )
        if settings is not None
    }
    sinks: list[Sink] = []
    available = {ep.name: ep for ep in entry_points(group=SINK_ENTRY_POINT_GROUP)}
    for name, settings in wanted.items():
        ep = available.get(name)
        if ep is None:
            raise ConfigError(f"daemon.notifications.{name}: no '{name}' sink is installed")
        sink = ep.load()(settings)
        if not isinstance(sink, Sink):
            raise ConfigError(f"daemon.notifications.{name}: {ep.value} is not a sink")
        sinks.append(sink)
    return sinks
