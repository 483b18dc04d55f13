"""The one table of source types: type name → the module that implements it.

Each module exposes `settings_model` (a SourceSettings subclass) and
`create_collector(settings) -> Collector`. Modules are imported only when a configured source
uses them, so a missing optional client library affects only that source type.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import cast

from auditor.collectors.base import Collector, SourceSettings

SOURCE_TYPES: dict[str, str] = {
    "files": "auditor.collectors.files",
    "mysql": "auditor.collectors.mysql",
    "kafka": "auditor.collectors.kafka",
    "airflow": "auditor.collectors.airflow",
    "gcp": "auditor.collectors.gcp",
    "gke": "auditor.collectors.gke",
}


class CollectorSetupError(Exception):
    """A collector could not be set up; the message is safe to show (no secrets)."""


class UnknownSourceType(CollectorSetupError, LookupError):
    """A configured type that no module implements (or whose module cannot be imported)."""


def _module(source_type: str) -> ModuleType:
    path = SOURCE_TYPES.get(source_type)
    if path is None:
        known = ", ".join(sorted(SOURCE_TYPES))
        raise UnknownSourceType(f"unknown source type {source_type!r}; expected one of: {known}")
    try:
        return importlib.import_module(path)
    except ImportError as exc:
        raise UnknownSourceType(
            f"source type {source_type!r} is not available: {exc.name or exc} is not installed"
        ) from None


def settings_model_for(source_type: str) -> type[SourceSettings]:
    """The settings class of a source type."""
    return cast(type[SourceSettings], _module(source_type).settings_model)


def create_collector(settings: SourceSettings) -> Collector:
    """A collector for validated settings; any failure is a CollectorSetupError."""
    module = _module(settings.type)
    try:
        return cast(Collector, module.create_collector(settings))
    except ValueError as exc:
        raise CollectorSetupError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - the class only: the text may hold a secret
        raise CollectorSetupError(
            f"setting up the collector failed with {type(exc).__name__}"
        ) from None
