"""The counts every report shows: per severity, category and status."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.model import Category, FindingStatus
from auditor.report import ScanReport
from exporters.ordering import SEVERITIES_WORST_FIRST


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts over one report; every severity, category and status is present, zero or not.

    `by_severity` and `by_category` count findings of every status; `by_status` splits them.
    `open_by_severity` is what a gate reads.
    """

    by_severity: dict[str, int]
    open_by_severity: dict[str, int]
    by_category: dict[str, int]
    by_status: dict[str, int]
    errors: int
    resources: int
    rules: int


def summarize(report: ScanReport) -> Summary:
    """Count the report's findings, errors, resources and rules."""
    by_severity = {severity.value: 0 for severity in SEVERITIES_WORST_FIRST}
    open_by_severity = dict(by_severity)
    by_category = {category.value: 0 for category in Category}
    by_status = {status.value: 0 for status in FindingStatus}
    for finding in report.findings:
        by_severity[finding.severity.value] += 1
        by_category[finding.category.value] += 1
        by_status[finding.status.value] += 1
        if finding.status is FindingStatus.OPEN:
            open_by_severity[finding.severity.value] += 1
    return Summary(
        by_severity=by_severity,
        open_by_severity=open_by_severity,
        by_category=by_category,
        by_status=by_status,
        errors=len(report.errors),
        resources=len({(ref.kind, ref.id) for ref in report.resources}),
        rules=len(report.rules),
    )
