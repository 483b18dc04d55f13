"""Collecting several live sources at once, each on its own deadline (one-shot scans)."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Sequence
from datetime import datetime

from auditor.collectors.base import CollectorContext, SourceSettings
from auditor.collectors.registry import CollectorSetupError, create_collector
from auditor.collectors.runner import (
    SourceResult,
    close_collector,
    run_collection,
    source_resource,
)
from auditor.model import PiiLabel, SourceHealth
from auditor.state import HistoryStore

MAX_PARALLEL_SOURCES = 4


def _collect_one(settings: SourceSettings, context: CollectorContext) -> SourceResult:
    try:
        collector = create_collector(settings)
    except CollectorSetupError as exc:
        result = SourceResult(
            health=SourceHealth(name=settings.name, type=settings.type, up=False, error=str(exc)),
            error_kind="config",
        )
        result.resources.append(source_resource(result, context.now()))
        return result
    try:
        return run_collection(
            settings.name,
            settings.type,
            collector,
            context,
            timeout_seconds=settings.timeout_seconds,
        )
    finally:
        close_collector(collector, settings.name)


def collect_sources(
    sources: Sequence[SourceSettings],
    history: HistoryStore,
    now: Callable[[], datetime],
    pii: PiiLabel | None = None,
) -> list[SourceResult]:
    """Every enabled source, at most MAX_PARALLEL_SOURCES at a time, in the given order."""
    context = CollectorContext(now=now, history=history, pii=pii or PiiLabel())
    enabled = [s for s in sources if s.enabled]
    if not enabled:
        return []
    workers = min(MAX_PARALLEL_SOURCES, len(enabled))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda s: _collect_one(s, context), enabled))
