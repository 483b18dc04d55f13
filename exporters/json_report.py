"""The JSON report: a versioned document for scripts and dashboards (docs/report-formats.md).

Its shape is published as docs/report.schema.json; `schema_version` changes when a field is
removed or changes meaning, never when one is added.
"""

from __future__ import annotations

import json
from typing import ClassVar

from auditor.exporting import RenderOptions
from auditor.model import EvaluationError, Finding, Location, ResourceRef, SourceHealth
from auditor.report import REPORT_SCHEMA_VERSION, ExpiredWaiver, Reference, RuleInfo, ScanReport
from exporters.evidence import JsonValue, report_evidence
from exporters.ordering import (
    ordered_errors,
    ordered_expired_waivers,
    ordered_findings,
    ordered_rules,
    ordered_sources,
)
from exporters.summary import summarize
from exporters.timestamps import optional_rfc3339, rfc3339

TOOL_NAME = "auditor"


class JsonExporter:
    """Renders a scan report as the documented JSON document."""

    name: ClassVar[str] = "json"
    file_extension: ClassVar[str] = "json"

    def render(self, report: ScanReport, options: RenderOptions) -> str:
        """The report as indented UTF-8 JSON ending in a newline; options do not apply."""
        del options  # JSON has no colour or width
        return json.dumps(report_document(report), indent=2, ensure_ascii=False) + "\n"


def report_document(report: ScanReport) -> dict[str, JsonValue]:
    """The report as plain JSON values, in the documented field order."""
    summary = summarize(report)
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": report.tool_version},
        "generated_at": rfc3339(report.generated_at),
        "fail_on": report.fail_on.value if report.fail_on is not None else None,
        "passed": report.passed,
        "summary": {
            "by_severity": dict(summary.by_severity),
            "open_by_severity": dict(summary.open_by_severity),
            "by_category": dict(summary.by_category),
            "by_status": dict(summary.by_status),
            "errors": summary.errors,
            "resources": summary.resources,
            "rules": summary.rules,
        },
        "inputs": list(report.inputs),
        "findings": [_finding(finding) for finding in ordered_findings(report)],
        "errors": [_error(error) for error in ordered_errors(report)],
        "sources": [_source(source) for source in ordered_sources(report)],
        "expired_waivers": [_waiver(waiver) for waiver in ordered_expired_waivers(report)],
        "rules": [_rule(rule) for rule in ordered_rules(report)],
    }


def _finding(finding: Finding) -> dict[str, JsonValue]:
    return {
        "rule_id": finding.rule_id,
        "severity": finding.severity.value,
        "category": finding.category.value,
        "status": finding.status.value,
        "status_reason": finding.status_reason,
        "fingerprint": finding.fingerprint,
        "message": finding.message,
        "remediation": finding.remediation,
        "evidence": dict(report_evidence(finding.evidence)),
        "resource": _resource(finding.resource),
        "first_seen": optional_rfc3339(finding.first_seen),
        "last_seen": optional_rfc3339(finding.last_seen),
    }


def _resource(resource: ResourceRef) -> dict[str, JsonValue]:
    return {
        "kind": resource.kind,
        "id": resource.id,
        "scope": resource.scope,
        "source": resource.source,
        "location": _location(resource.location),
    }


def _location(location: Location | None) -> dict[str, JsonValue] | None:
    if location is None:
        return None
    located: dict[str, JsonValue] = {"file": location.file, "line": location.line}
    if location.address is not None:
        located["address"] = location.address
    return located


def _error(error: EvaluationError) -> dict[str, JsonValue]:
    return {"rule_id": error.rule_id, "resource": _resource(error.resource), "error": error.error}


def _source(source: SourceHealth) -> dict[str, JsonValue]:
    return {
        "name": source.name,
        "type": source.type,
        "up": source.up,
        "last_success": optional_rfc3339(source.last_success),
        "duration_seconds": source.duration_seconds,
        "resources": source.resources,
        "error": source.error,
    }


def _waiver(waiver: ExpiredWaiver) -> dict[str, JsonValue]:
    return {
        "rule": waiver.rule,
        "resource": waiver.resource,
        "owner": waiver.owner,
        "reason": waiver.reason,
        "expires": waiver.expires,
        "source": waiver.source,
    }


def _rule(rule: RuleInfo) -> dict[str, JsonValue]:
    return {
        "id": rule.id,
        "title": rule.title,
        "severity": rule.severity.value,
        "category": rule.category.value,
        "kind": rule.kind,
        "description": rule.description,
        "remediation": rule.remediation,
        "references": [_reference(reference) for reference in rule.references],
    }


def _reference(reference: Reference) -> dict[str, JsonValue]:
    return {
        "title": reference.title,
        "label": reference.label(),
        "url": reference.url,
        "benchmark": reference.benchmark,
        "version": reference.version,
        "item": reference.item,
    }
