"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers (docs/report-formats.md)."""

from __future__ import annotations

import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, ClassVar
from urllib.parse import quote

from auditor.exporting import RenderOptions
from auditor.model import (
    Category,
    EvaluationError,
    Finding,
    FindingStatus,
    ResourceRef,
    Severity,
)
from auditor.report import RuleInfo, ScanReport
from exporters.ordering import (
    ordered_errors,
    ordered_expired_waivers,
    ordered_findings,
    ordered_rules,
    ordered_sources,
)
from exporters.timestamps import rfc3339

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://pypi.org/project/gcp-data-auditor/"
FINGERPRINT_KEY = "auditor/v1"
SOURCE_ROOT = "%SRCROOT%"

LEVELS: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}

# GitHub code scanning ranks security alerts by this CVSS-like score (a string, by its docs).
SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}

# GitHub reads security-severity only on rules tagged "security"; HA, freshness and hygiene
# rules are reliability findings and keep the plain error / warning / note levels there.
SECURITY_CATEGORIES = frozenset({Category.ZERO_TRUST, Category.LEAST_PRIVILEGE, Category.PII})

Sarif = dict[str, Any]


class SarifExporter:
    """Renders a scan report as one SARIF 2.1.0 run."""

    name: ClassVar[str] = "sarif"
    file_extension: ClassVar[str] = "sarif"

    def render(self, report: ScanReport, options: RenderOptions) -> str:
        """The SARIF log as indented JSON ending in a newline; options do not apply."""
        del options  # SARIF has no colour or width
        return json.dumps(sarif_log(report), indent=2, ensure_ascii=False) + "\n"


def sarif_log(report: ScanReport) -> Sarif:
    """The report as a SARIF log object."""
    descriptors = _descriptors(report)
    index = {descriptor["id"]: position for position, descriptor in enumerate(descriptors)}
    baseline_used = report.extra.get("baseline_used") is True
    run: Sarif = {
        "tool": {
            "driver": {
                "name": "auditor",
                "version": report.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }
        },
        "invocations": [_invocation(report, index)],
        "results": [_result(finding, index, baseline_used) for finding in ordered_findings(report)],
        "properties": {
            "failOn": report.fail_on.value if report.fail_on is not None else None,
            "passed": report.passed,
        },
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def _descriptors(report: ScanReport) -> list[Sarif]:
    """One descriptor per evaluated rule by id, plus a bare one for any rule a finding or error
    names that the report does not describe, so every ruleIndex points somewhere."""
    descriptors = {rule.id: _descriptor(rule) for rule in ordered_rules(report)}
    for finding in report.findings:
        if finding.rule_id not in descriptors:
            descriptors[finding.rule_id] = _bare_descriptor(finding.rule_id, finding.severity)
    for error in report.errors:
        if error.rule_id not in descriptors:
            descriptors[error.rule_id] = _bare_descriptor(error.rule_id, Severity.HIGH)
    return [descriptors[rule_id] for rule_id in sorted(descriptors)]


def _bare_descriptor(rule_id: str, severity: Severity) -> Sarif:
    return {
        "id": rule_id,
        "name": _pascal_case(rule_id),
        "shortDescription": {"text": rule_id},
        "defaultConfiguration": {"level": LEVELS[severity]},
    }


def _descriptor(rule: RuleInfo) -> Sarif:
    benchmarks = [ref.label() for ref in rule.references if ref.benchmark]
    descriptor: Sarif = {
        "id": rule.id,
        "name": _pascal_case(rule.id),
        "shortDescription": {"text": rule.title or rule.id},
        "fullDescription": {"text": rule.description or rule.title or rule.id},
        "help": {"text": _help_text(rule), "markdown": _help_markdown(rule)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": [*_security_tag(rule.category), rule.category.value, *benchmarks],
            "precision": "high",
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "resourceKind": rule.kind,
        },
    }
    help_uri = next((ref.url for ref in rule.references if ref.url), "")
    if help_uri:
        descriptor["helpUri"] = help_uri
    return descriptor


def _security_tag(category: Category) -> list[str]:
    return ["security"] if category in SECURITY_CATEGORIES else []


def _help_text(rule: RuleInfo) -> str:
    lines = [f"Remediation: {rule.remediation.strip() or 'none given'}"]
    lines += [f"Reference: {_reference_text(ref.label(), ref.url)}" for ref in rule.references]
    return "\n".join(lines)


def _help_markdown(rule: RuleInfo) -> str:
    parts = ["**Remediation**", "", rule.remediation.strip() or "None given."]
    if rule.references:
        parts += ["", "**References**", ""]
        parts += [
            f"- [{ref.label()}]({ref.url})" if ref.url else f"- {ref.label()}"
            for ref in rule.references
        ]
    return "\n".join(parts)


def _reference_text(label: str, url: str) -> str:
    return f"{label} <{url}>" if url else label


def _result(finding: Finding, index: dict[str, int], baseline_used: bool) -> Sarif:
    result: Sarif = {
        "ruleId": finding.rule_id,
        "ruleIndex": index[finding.rule_id],
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message or finding.rule_id},
        "locations": [_location(finding.resource)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "severity": finding.severity.value,
            "category": finding.category.value,
            "status": finding.status.value,
            "resourceScope": finding.resource.scope,
            "resourceSource": finding.resource.source,
        },
    }
    if finding.status is FindingStatus.WAIVED:
        result["suppressions"] = [_suppression(finding.status_reason or "waived")]
    elif finding.status is FindingStatus.BASELINED:
        result["suppressions"] = [
            _suppression(f"baselined: {finding.status_reason or 'in the baseline'}")
        ]
    if baseline_used and finding.status is not FindingStatus.WAIVED:
        # A waived finding may or may not be in the baseline: say nothing rather than guess.
        result["baselineState"] = (
            "unchanged" if finding.status is FindingStatus.BASELINED else "new"
        )
    return result


def _suppression(justification: str) -> Sarif:
    return {"kind": "external", "status": "accepted", "justification": justification}


def _location(resource: ResourceRef) -> Sarif:
    """A file and line when the resource was read from one; always the resource by name."""
    logical: list[Sarif] = [
        {
            "name": resource.id,
            "fullyQualifiedName": f"{resource.kind}/{resource.id}",
            "kind": resource.kind,
        }
    ]
    if resource.location is not None and resource.location.address is not None:
        # The declaration that creates it (a Terraform address) comes first: it is what to edit.
        address = resource.location.address
        logical.insert(0, {"name": address, "fullyQualifiedName": address, "kind": "resource"})
    location: Sarif = {"logicalLocations": logical}
    if resource.location is not None:
        physical: Sarif = {"artifactLocation": _artifact_location(resource.location.file)}
        if resource.location.line >= 1:
            physical["region"] = {"startLine": resource.location.line}
        location["physicalLocation"] = physical
    return location


def _artifact_location(path: str) -> Sarif:
    """A relative path is resolved against %SRCROOT%; an absolute one becomes a file: URI.

    SARIF only allows uriBaseId on a relative reference, and a URI must be percent-encoded.
    """
    has_drive = bool(PureWindowsPath(path).drive)  # e.g. C:\repo\x.yaml
    posix = path.replace("\\", "/")
    if has_drive or posix.startswith("/"):
        absolute = posix if posix.startswith("/") else f"/{posix}"
        return {"uri": "file://" + quote(absolute, safe="/:")}
    return {"uri": quote(str(PurePosixPath(posix)), safe="/"), "uriBaseId": SOURCE_ROOT}


def _invocation(report: ScanReport, index: dict[str, int]) -> Sarif:
    down = [source for source in ordered_sources(report) if not source.up]
    invocation: Sarif = {
        # A rule that failed or a source not seen means the scan did not cover everything.
        "executionSuccessful": not report.errors and not down,
        "endTimeUtc": rfc3339(report.generated_at),
        "toolExecutionNotifications": [
            *(_error_notification(error, index) for error in ordered_errors(report)),
            *(
                {
                    "level": "error",
                    "message": {
                        "text": f"source {source.name} ({source.type}) is down: "
                        f"{source.error or 'no error given'}"
                    },
                    "descriptor": {"id": "source-down"},
                }
                for source in down
            ),
        ],
    }
    expired = [
        {
            "level": "warning",
            "message": {
                "text": f"waiver for rule {waiver.rule} on {waiver.resource} expired on "
                f"{waiver.expires} (owner {waiver.owner or 'unknown'}, {waiver.source}): "
                f"{waiver.reason}"
            },
            "descriptor": {"id": "waiver-expired"},
        }
        for waiver in ordered_expired_waivers(report)
    ]
    if expired:
        invocation["toolConfigurationNotifications"] = expired
    return invocation


def _error_notification(error: EvaluationError, index: dict[str, int]) -> Sarif:
    return {
        "level": "error",
        "message": {
            "text": f"rule {error.rule_id} failed on {error.resource.kind} "
            f"{error.resource.id}: {error.error}"
        },
        "locations": [_location(error.resource)],
        "descriptor": {"id": "rule-evaluation-error"},
        "associatedRule": {"id": error.rule_id, "index": index[error.rule_id]},
    }


def _pascal_case(rule_id: str) -> str:
    """'gke-workload-min-replicas' -> 'GkeWorkloadMinReplicas' (SARIF's readable rule name)."""
    words = rule_id.replace("_", "-").replace(".", "-").split("-")
    return "".join(word[:1].upper() + word[1:] for word in words if word) or rule_id
