"""Fixtures for the exporter tests: fresh sample reports, so a test may change its own."""

from __future__ import annotations

import pytest

from auditor.report import ScanReport
from tests.unit.exporters.sample_report import build_hostile_report, build_report


@pytest.fixture
def report() -> ScanReport:
    """The full sample report."""
    return build_report()


@pytest.fixture
def hostile_report() -> ScanReport:
    """The sample report plus entries full of hostile text."""
    return build_hostile_report()
