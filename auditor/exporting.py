"""How the core finds report exporters: the entry-point group `auditor.exporters`.

The core never imports the `exporters` package; third parties add formats the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import ClassVar, Protocol, runtime_checkable

from auditor.errors import UsageError
from auditor.report import ScanReport

ENTRY_POINT_GROUP = "auditor.exporters"


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """Presentation choices the caller makes (colour only when writing to a terminal)."""

    color: bool = False
    width: int = 120


@runtime_checkable
class ReportExporter(Protocol):
    """Turns a scan report into one document (text, JSON, SARIF, JUnit …)."""

    name: ClassVar[str]
    file_extension: ClassVar[str]

    def render(self, report: ScanReport, options: RenderOptions) -> str:
        """The whole document as text."""
        ...


def available_formats() -> list[str]:
    """Names of every installed report exporter."""
    return sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))


def load_exporter(name: str) -> ReportExporter:
    """The exporter registered under `name`, or a usage error listing the known ones."""
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name:
            exporter = ep.load()()
            if not isinstance(exporter, ReportExporter):
                raise UsageError(f"exporter {name!r} ({ep.value}) does not implement render()")
            return exporter
    known = ", ".join(available_formats()) or "none installed"
    raise UsageError(f"unknown format {name!r}; expected one of: {known}")
