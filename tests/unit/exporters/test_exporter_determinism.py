"""Every format is a pure function of the report: same report, same bytes, whatever the order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from auditor.exporting import RenderOptions, load_exporter
from auditor.report import ScanReport
from tests.unit.exporters.sample_report import build_hostile_report, build_report

FORMATS = ["json", "junit", "sarif", "table"]
OPTIONS = [RenderOptions(color=False, width=100), RenderOptions(color=True, width=100)]


def reordered(report: ScanReport) -> ScanReport:
    """The same report with every list the engine fills in reverse order."""
    report.rules.reverse()
    report.resources.reverse()
    report.findings.reverse()
    report.errors.reverse()
    report.sources.reverse()
    report.expired_waivers.reverse()
    return report


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("name", FORMATS)
def test_same_report_same_bytes(name: str, options: RenderOptions) -> None:
    """Two renders of equal reports are byte-identical."""
    exporter = load_exporter(name)
    first = exporter.render(build_hostile_report(), options)
    assert exporter.render(build_hostile_report(), options) == first


@pytest.mark.parametrize("name", FORMATS)
def test_input_order_does_not_change_the_output(name: str) -> None:
    """Findings, rules, resources, errors, sources and waivers are sorted by the exporter."""
    exporter = load_exporter(name)
    options = RenderOptions()
    assert exporter.render(reordered(build_report()), options) == exporter.render(
        build_report(), options
    )


@pytest.mark.parametrize("name", ["json", "junit", "sarif"])
def test_time_comes_from_the_report(name: str) -> None:
    """The document's timestamp is the report's generated_at, not the time of rendering."""
    report = build_report()
    report.generated_at = datetime(2031, 7, 4, 12, 0, 0, tzinfo=UTC)
    assert "2031-07-04T12:00:00" in load_exporter(name).render(report, RenderOptions())
