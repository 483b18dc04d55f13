"""What the metrics exporter reads, and how the daemon finds it: the entry-point group
`auditor.metrics` (the core never imports the `exporters` package)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points

from prometheus_client.registry import Collector, CollectorRegistry

from auditor.daemon.rules import RulesStatus
from auditor.daemon.snapshot import DaemonSnapshot
from auditor.lifecycle import FindingCount, TrackedFinding

METRICS_ENTRY_POINT_GROUP = "auditor.metrics"


@dataclass(frozen=True, slots=True)
class MetricsInput:
    """Everything a scrape may read; each callable is cheap and thread-safe."""

    snapshot: DaemonSnapshot
    counts: Callable[[], list[FindingCount]]  # tracked findings, grouped
    open_fingerprints: Callable[[str], set[str]] = lambda _rule: set()
    delivered: Mapping[str, int] = field(default_factory=dict)
    failed: Mapping[str, int] = field(default_factory=dict)
    pending: Callable[[str], int] = lambda _sink: 0
    hash_principals: bool = True
    # Per-finding info series: the worst `finding_info_limit` open findings (0: none).
    worst_open: Callable[[int], list[TrackedFinding]] = lambda _limit: []
    finding_info_limit: int = 0
    rules: Callable[[], RulesStatus] | None = None


def metrics_registry(source: MetricsInput) -> CollectorRegistry:
    """A registry holding the installed metrics collector (empty when none is installed)."""
    registry = CollectorRegistry(auto_describe=False)
    for ep in entry_points(group=METRICS_ENTRY_POINT_GROUP):
        collector: Collector = ep.load()(source)
        registry.register(collector)
    return registry
