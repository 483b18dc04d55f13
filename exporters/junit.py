"""JUnit XML: one test suite per rule, one test case per rule and resource of its kind.

CI systems (GitLab, Jenkins, Azure DevOps, CircleCI) show these as test results, so a pass is
as visible as a failure. Written with the standard library only.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from auditor.exporting import RenderOptions
from auditor.model import EvaluationError, Finding, FindingStatus, ResourceRef
from auditor.report import RuleInfo, ScanReport
from exporters.ordering import ordered_rules, ordered_sources, resource_key
from exporters.safe_text import for_xml
from exporters.timestamps import rfc3339

SOURCES_SUITE = "auditor.sources"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


class JunitExporter:
    """Renders a scan report as JUnit XML."""

    name: ClassVar[str] = "junit"
    file_extension: ClassVar[str] = "xml"

    def render(self, report: ScanReport, options: RenderOptions) -> str:
        """The JUnit document, UTF-8 declared, ending in a newline; options do not apply."""
        del options  # XML has no colour or width
        root = junit_tree(report)
        ET.indent(root)
        return XML_DECLARATION + ET.tostring(root, encoding="unicode") + "\n"


@dataclass(slots=True)
class _RuleOutcomes:
    """What happened to one rule on each resource it judged."""

    findings: dict[tuple[str, str], Finding] = field(default_factory=dict)
    errors: dict[tuple[str, str], EvaluationError] = field(default_factory=dict)
    resources: dict[tuple[str, str], ResourceRef] = field(default_factory=dict)


def junit_tree(report: ScanReport) -> ET.Element:
    """The <testsuites> element for the report."""
    timestamp = rfc3339(report.generated_at).removesuffix("Z")  # JUnit's XSD has no zone
    outcomes = _outcomes_by_rule(report)
    root = ET.Element("testsuites", {"name": "auditor"})
    for rule_id in sorted(outcomes):
        suite = _rule_suite(rule_id, report.rule(rule_id), outcomes[rule_id], timestamp)
        root.append(suite)
    if report.sources:
        root.append(_sources_suite(report, timestamp))
    _set_counts(root, root.findall("testsuite"))
    return root


def _outcomes_by_rule(report: ScanReport) -> dict[str, _RuleOutcomes]:
    outcomes = {rule.id: _RuleOutcomes() for rule in ordered_rules(report)}
    by_kind: dict[str, list[ResourceRef]] = {}
    for resource in report.resources:
        by_kind.setdefault(resource.kind, []).append(resource)
    for rule in report.rules:
        for resource in by_kind.get(rule.kind, []):
            outcomes[rule.id].resources[resource_key(resource)] = resource
    # Findings and errors on resources the report did not list still get a test case.
    for finding in report.findings:
        outcome = outcomes.setdefault(finding.rule_id, _RuleOutcomes())
        outcome.findings[resource_key(finding.resource)] = finding
        outcome.resources.setdefault(resource_key(finding.resource), finding.resource)
    for error in report.errors:
        outcome = outcomes.setdefault(error.rule_id, _RuleOutcomes())
        outcome.errors[resource_key(error.resource)] = error
        outcome.resources.setdefault(resource_key(error.resource), error.resource)
    return outcomes


def _rule_suite(
    rule_id: str, rule: RuleInfo | None, outcome: _RuleOutcomes, timestamp: str
) -> ET.Element:
    suite = ET.Element("testsuite", {"name": for_xml(rule_id), "timestamp": timestamp})
    if rule is not None:
        properties = ET.SubElement(suite, "properties")
        for name, value in (
            ("title", rule.title),
            ("severity", rule.severity.value),
            ("category", rule.category.value),
            ("kind", rule.kind),
        ):
            ET.SubElement(properties, "property", {"name": name, "value": for_xml(value)})
    for key in sorted(outcome.resources):
        resource = outcome.resources[key]
        case = _test_case(rule_id, resource)
        error = outcome.errors.get(key)
        finding = outcome.findings.get(key)
        # One verdict per case: an error means the rule could not judge, whatever else is known.
        if error is not None:
            _child(case, "error", error.error, {"type": "evaluation-error"})
        elif finding is not None and finding.status is FindingStatus.OPEN:
            body = finding.message
            if finding.remediation.strip():
                body += f"\n\nRemediation: {finding.remediation.strip()}"
            _child(case, "failure", body, {"type": finding.severity.value}, finding.message)
        elif finding is not None:
            reason = finding.status_reason or "no reason given"
            ET.SubElement(
                case, "skipped", {"message": for_xml(f"{finding.status.value}: {reason}")}
            )
        suite.append(case)
    _set_counts(suite, [suite])
    return suite


def _test_case(classname: str, resource: ResourceRef) -> ET.Element:
    attributes = {
        "classname": for_xml(classname),
        "name": for_xml(f"{resource.kind} {resource.id}"),
        "time": "0",
    }
    if resource.location is not None:
        attributes["file"] = for_xml(resource.location.file)
        attributes["line"] = str(resource.location.line)
    return ET.Element("testcase", attributes)


def _child(
    case: ET.Element, tag: str, text: str, attributes: dict[str, str], message: str = ""
) -> None:
    element = ET.SubElement(case, tag, {"message": for_xml(message or text), **attributes})
    element.text = for_xml(text)


def _sources_suite(report: ScanReport, timestamp: str) -> ET.Element:
    """A source that could not be read is an error: silence must not read as a pass."""
    suite = ET.Element("testsuite", {"name": SOURCES_SUITE, "timestamp": timestamp})
    for source in ordered_sources(report):
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": SOURCES_SUITE,
                "name": for_xml(f"{source.type} {source.name}"),
                "time": "0",
            },
        )
        if not source.up:
            detail = source.error or "no error given"
            _child(
                case, "error", f"source {source.name} is down: {detail}", {"type": "source-down"}
            )
    _set_counts(suite, [suite])
    return suite


def _set_counts(element: ET.Element, suites: Iterable[ET.Element]) -> None:
    """tests / failures / errors / skipped over the test cases of `suites`."""
    cases = [case for suite in suites for case in suite.findall("testcase")]
    element.set("tests", str(len(cases)))
    element.set("failures", str(sum(case.find("failure") is not None for case in cases)))
    element.set("errors", str(sum(case.find("error") is not None for case in cases)))
    element.set("skipped", str(sum(case.find("skipped") is not None for case in cases)))
    element.set("time", "0")
