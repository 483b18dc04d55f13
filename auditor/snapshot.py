"""Inventory snapshots: a versioned JSON file of resources and source health.

Written by `auditor collect` (and later the daemon), read back by `auditor scan FILE.json`, so a
scan can be repeated offline on exactly what was collected. Format: docs/snapshot-format.md.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.errors import InputError
from auditor.loaders.result import LoadResult
from auditor.model import Inventory, Location, Resource, SourceHealth

SNAPSHOT_FORMAT = "auditor-snapshot"
SNAPSHOT_VERSION = 1
_RESOURCE_FIELDS = ("kind", "id", "source", "scope", "data")


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _location(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    located: dict[str, Any] = {"file": location.file, "line": location.line}
    if location.address is not None:
        located["address"] = location.address
    return located


def snapshot_document(inventory: Inventory, generated_at: datetime) -> dict[str, Any]:
    """The JSON document for `inventory`."""
    return {
        "format": SNAPSHOT_FORMAT,
        "version": SNAPSHOT_VERSION,
        "generated_at": generated_at.isoformat(),
        "tool_version": __version__,
        "sources": [
            {
                "name": s.name,
                "type": s.type,
                "up": s.up,
                "last_success": _time(s.last_success),
                "duration_seconds": s.duration_seconds,
                "error": s.error,
                "resources": s.resources,
            }
            for s in inventory.sources
        ],
        "resources": [
            {
                "kind": r.kind,
                "id": r.id,
                "source": r.source,
                "scope": r.scope,
                "observed_at": _time(r.observed_at),
                "location": _location(r.location),
                "data": r.data,
            }
            for r in inventory.resources
        ],
    }


def write_snapshot(path: Path, inventory: Inventory, generated_at: datetime) -> None:
    """Write `inventory` to `path` as a snapshot."""
    text = json.dumps(snapshot_document(inventory, generated_at), indent=1, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")


def looks_like_snapshot(document: Any) -> bool:
    """True for a parsed JSON document that declares itself an auditor snapshot."""
    return isinstance(document, dict) and document.get("format") == SNAPSHOT_FORMAT


def _parse_time(value: Any, where: str, path: Path) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{where}: {value!r} is not an ISO 8601 time", path=str(path)) from None


def read_snapshot(path: Path, document: dict[str, Any]) -> LoadResult:
    """Resources of a parsed snapshot document; errors name the resource index and field."""
    version = document.get("version")
    if version != SNAPSHOT_VERSION:
        raise InputError(
            f"snapshot version {version!r} is not supported (expected {SNAPSHOT_VERSION})",
            path=str(path),
        )
    items = document.get("resources")
    if not isinstance(items, list):
        raise InputError("snapshot 'resources' must be a list", path=str(path))
    result = LoadResult()
    for index, item in enumerate(items):
        where = f"resources[{index}]"
        if not isinstance(item, dict):
            raise InputError(f"{where} must be an object", path=str(path))
        for name in _RESOURCE_FIELDS:
            if name not in item:
                raise InputError(f"{where}.{name} is missing", path=str(path))
        if not isinstance(item["data"], dict):
            raise InputError(f"{where}.data must be an object", path=str(path))
        location = item.get("location")
        result.resources.append(
            Resource(
                kind=str(item["kind"]),
                id=str(item["id"]),
                source=str(item["source"]),
                scope=str(item["scope"]),
                data=item["data"],
                observed_at=_parse_time(item.get("observed_at"), f"{where}.observed_at", path),
                location=(
                    Location(
                        file=str(location["file"]),
                        line=int(location["line"]),
                        address=(
                            str(location["address"])
                            if location.get("address") is not None
                            else None
                        ),
                    )
                    if isinstance(location, dict)
                    else None
                ),
            )
        )
    return result


def read_snapshot_sources(path: Path, document: dict[str, Any]) -> list[SourceHealth]:
    """Source health recorded in a snapshot (a source that was down stays down)."""
    sources = []
    for index, item in enumerate(document.get("sources") or []):
        if not isinstance(item, dict) or "name" not in item or "up" not in item:
            raise InputError(f"sources[{index}] needs at least name and up", path=str(path))
        sources.append(
            SourceHealth(
                name=str(item["name"]),
                type=str(item.get("type", "")),
                up=bool(item["up"]),
                last_success=_parse_time(item.get("last_success"), f"sources[{index}]", path),
                duration_seconds=float(item.get("duration_seconds", 0.0)),
                error=str(item.get("error", "")),
                resources=int(item.get("resources", 0)),
            )
        )
    return sources
