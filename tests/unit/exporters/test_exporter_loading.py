"""The exporters are found through the `auditor.exporters` entry points, as the CLI finds them."""

from __future__ import annotations

import pytest

from auditor.errors import UsageError
from auditor.exporting import (
    RenderOptions,
    ReportExporter,
    available_formats,
    load_exporter,
)
from auditor.report import ScanReport

FORMATS = ["json", "junit", "sarif", "table"]


def test_every_format_is_installed() -> None:
    """The four report formats are registered under the entry-point group."""
    assert set(FORMATS) <= set(available_formats())


@pytest.mark.parametrize("name", FORMATS)
def test_each_format_loads_and_renders(name: str, report: ScanReport) -> None:
    """load_exporter returns a ReportExporter named after its entry point that renders text."""
    exporter = load_exporter(name)
    assert isinstance(exporter, ReportExporter)
    assert exporter.name == name
    assert exporter.file_extension and not exporter.file_extension.startswith(".")
    rendered = exporter.render(report, RenderOptions())
    assert rendered.endswith("\n") and len(rendered) > 100


def test_unknown_format_is_a_usage_error_listing_the_known_ones() -> None:
    """Asking for a format nobody registered names every format that exists."""
    with pytest.raises(UsageError) as raised:
        load_exporter("html")
    message = str(raised.value)
    assert "'html'" in message
    for name in FORMATS:
        assert name in message
