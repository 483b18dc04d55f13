"""Running one collection: a deadline, no exception escapes, health and `auditor.source` out."""

from __future__ import annotations

import concurrent.futures
import time
from dataclasses import dataclass, field
from datetime import datetime

import structlog

from auditor.collectors.base import Collection, Collector, CollectorContext, SourceError
from auditor.model import Resource, SourceHealth

log = structlog.get_logger(__name__)

SOURCE_KIND = "auditor.source"


@dataclass(slots=True)
class SourceResult:
    """One collection's outcome: resources (with the source's own) and its health."""

    health: SourceHealth
    resources: list[Resource] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error_kind: str = ""
    problems: list[str] = field(default_factory=list)
    unread: set[tuple[str, str]] = field(default_factory=set)  # see Collection.unread


def source_resource(result: SourceResult, observed_at: datetime) -> Resource:
    """The `auditor.source` resource: rules read it to say what cannot be seen and why."""
    health = result.health
    return Resource(
        kind=SOURCE_KIND,
        id=health.name,
        source=health.name,
        scope=health.name,
        observed_at=observed_at,
        data={
            "name": health.name,
            "type": health.type,
            "up": health.up,
            "error_kind": result.error_kind or None,
            "error": health.error or None,
            "problems": list(result.problems),
            "last_success": health.last_success.isoformat() if health.last_success else None,
            "duration_seconds": round(health.duration_seconds, 3),
            "resources": health.resources,
            "stale": False,
        },
    )


def close_collector(collector: Collector, name: str) -> None:
    """Close a collector; a failure to close is logged by class and never raised."""
    try:
        collector.close()
    except Exception as exc:  # noqa: BLE001 - closing must not take the caller down
        log.warning("collector close failed", source=name, error_class=type(exc).__name__)


def run_collection(
    name: str,
    source_type: str,
    collector: Collector,
    context: CollectorContext,
    *,
    timeout_seconds: float,
    last_success: datetime | None = None,
) -> SourceResult:
    """Collect once within `timeout_seconds`; every failure becomes a down source, not a raise.

    A collection that overruns is abandoned (its thread finishes on its own; collectors also
    bound each network call with their own timeouts) and reported as kind 'timeout'.
    """
    started = time.monotonic()
    observed_at = context.now()
    collection: Collection | None = None
    error_kind = ""
    error = ""
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
    try:
        future = executor.submit(collector.collect, context)
        collection = future.result(timeout=timeout_seconds)
    except concurrent.futures.TimeoutError:
        error_kind, error = "timeout", f"no answer within {timeout_seconds:g} s"
    except SourceError as exc:
        error_kind, error = exc.kind, str(exc)
    except Exception as exc:  # noqa: BLE001 - a collector bug must not stop the others
        # The class only: an arbitrary exception's text may carry a DSN or a password.
        error_kind, error = "internal", f"collector failed with {type(exc).__name__}"
        log.error("collector crashed", source=name, error_class=type(exc).__name__)
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
    duration = time.monotonic() - started
    up = collection is not None
    health = SourceHealth(
        name=name,
        type=source_type,
        up=up,
        last_success=observed_at if up else last_success,
        duration_seconds=duration,
        error=error,
        resources=len(collection.resources) if collection else 0,
    )
    result = SourceResult(
        health=health,
        resources=list(collection.resources) if collection else [],
        warnings=list(collection.warnings) if collection else [],
        error_kind=error_kind,
        problems=list(collection.problems) if collection else [],
        unread=set(collection.unread) if collection else set(),
    )
    if not up:
        log.warning("source down", source=name, type=source_type, kind=error_kind, error=error)
    result.resources.append(source_resource(result, observed_at))
    return result
