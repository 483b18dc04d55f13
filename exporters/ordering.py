"""The one order every report uses, so two reports of the same scan diff cleanly."""

from __future__ import annotations

from auditor.model import EvaluationError, Finding, ResourceRef, Severity, SourceHealth
from auditor.report import ExpiredWaiver, RuleInfo, ScanReport

# Worst first: the order findings are grouped and counted in.
SEVERITIES_WORST_FIRST: tuple[Severity, ...] = tuple(
    sorted(Severity, key=lambda severity: severity.rank, reverse=True)
)


def finding_key(finding: Finding) -> tuple[int, str, str, str]:
    """Severity rank descending, then rule id, resource id and kind."""
    return (-finding.severity.rank, finding.rule_id, finding.resource.id, finding.resource.kind)


def resource_key(resource: ResourceRef) -> tuple[str, str]:
    """Kind, then id."""
    return (resource.kind, resource.id)


def ordered_findings(report: ScanReport) -> list[Finding]:
    """The report's findings, worst first, then by rule id and resource id."""
    return sorted(report.findings, key=finding_key)


def ordered_errors(report: ScanReport) -> list[EvaluationError]:
    """Rule evaluation errors by rule id, resource and message."""
    return sorted(
        report.errors,
        key=lambda error: (error.rule_id, *resource_key(error.resource), error.error),
    )


def ordered_rules(report: ScanReport) -> list[RuleInfo]:
    """The evaluated rules by id."""
    return sorted(report.rules, key=lambda rule: rule.id)


def ordered_sources(report: ScanReport) -> list[SourceHealth]:
    """Source health by source name."""
    return sorted(report.sources, key=lambda source: (source.name, source.type))


def ordered_expired_waivers(report: ScanReport) -> list[ExpiredWaiver]:
    """Expired waivers by rule pattern, resource pattern and expiry date."""
    return sorted(
        report.expired_waivers,
        key=lambda waiver: (waiver.rule, waiver.resource, waiver.expires, waiver.source),
    )
