"""What every live collector is: settings, a collect() that returns resources, a clean error.

A collector knows nothing of rules. The runner (auditor.collectors.runner) calls it with a
timeout, turns any failure into source health (never an exception in the caller) and adds the
`auditor.source` resource, so rules can say "cannot see X": silence never reads as health.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict, Field

from auditor.model import PiiLabel, Resource
from auditor.state import HistoryStore


class SourceSettings(BaseModel):
    """Fields every source has; each type subclasses it with its own (extra keys are errors)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", description="Unique source name.")
    type: str = Field(description="Source type, e.g. mysql, kafka, airflow.")
    enabled: bool = True
    interval_seconds: float = Field(default=60.0, gt=0, description="Daemon: how often.")
    timeout_seconds: float = Field(default=30.0, gt=0, description="Whole collection deadline.")


class SourceError(Exception):
    """Why a source could not be read, in words safe to log and export (no secrets, no DSNs).

    `kind` is a short stable class for metrics and rules: 'unreachable', 'auth', 'timeout',
    'permission', 'protocol', 'config'.
    """

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


@dataclass(slots=True)
class Collection:
    """What one collection produced: resources, warnings, and partial-failure notes.

    `problems` lists parts that could not be read while the source as a whole answered (one
    replica of three down, one topic's configs denied): each becomes visible in source health.
    `unread` names resources (kind, id) that are returned although part of their data could not
    be read (a DAG whose runs are unknown): their findings are kept, not resolved.
    """

    resources: list[Resource] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unread: set[tuple[str, str]] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class CollectorContext:
    """What the runner gives a collector: the clock, history kept across collections, and the
    label that marks namespaces and projects as holding PII (auditor.yaml `pii`)."""

    now: Callable[[], datetime]
    history: HistoryStore
    pii: PiiLabel = field(default_factory=PiiLabel)


class Collector(Protocol):
    """One live source. Constructed once per source; `collect` is called on every cycle."""

    settings_model: ClassVar[type[SourceSettings]]

    def collect(self, context: CollectorContext) -> Collection:
        """Read the source and return normalised resources.

        Raise SourceError for a clean, secret-free failure; anything else raised is caught by
        the runner and reported by its class name only.
        """
        ...

    def close(self) -> None:
        """Release connections (called on shutdown)."""
        ...


CollectorFactory = Callable[[Any], Collector]
