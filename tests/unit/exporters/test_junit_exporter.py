"""JUnit XML: a suite per rule, a case per rule and resource, verdicts CI systems understand."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from junitparser import Error, Failure, JUnitXml, Skipped, TestCase, TestSuite

from auditor.exporting import RenderOptions
from auditor.report import ScanReport
from exporters.junit import SOURCES_SUITE, JunitExporter
from tests.unit.exporters.sample_report import API, EDITOR_SA, HOSTILE_ID, LEDGER, PUBLIC


def parse(report: ScanReport, tmp_path: Path) -> JUnitXml:
    """The report rendered to a file and read back with junitparser, as CI plugins read it."""
    path = tmp_path / "auditor.xml"
    path.write_text(JunitExporter().render(report, RenderOptions()), encoding="utf-8")
    return JUnitXml.fromfile(str(path))


def suites(xml: JUnitXml) -> dict[str, TestSuite]:
    """The test suites by name."""
    return {suite.name: suite for suite in xml}


def case(suite: TestSuite, name: str) -> TestCase:
    """The one test case called `name`."""
    matches = [test for test in suite if test.name == name]
    assert len(matches) == 1
    found: TestCase = matches[0]
    return found


def test_one_suite_per_rule_plus_source_health(report: ScanReport, tmp_path: Path) -> None:
    """Every evaluated rule is a suite, by id, and source health comes last."""
    names = [suite.name for suite in parse(report, tmp_path)]
    assert names == [*sorted(rule.id for rule in report.rules), SOURCES_SUITE]


def test_one_case_per_resource_of_the_rules_kind(report: ScanReport, tmp_path: Path) -> None:
    """A k8s rule has a case for each workload and none for IAM bindings; names say kind and id."""
    suite = suites(parse(report, tmp_path))["gke-workload-privileged"]
    assert [test.name for test in suite] == [
        f"k8s.workload {LEDGER.id}",
        f"k8s.workload {API.id}",
        "k8s.workload gke-prod/payments/Deployment/worker",
    ]
    assert {test.classname for test in suite} == {"gke-workload-privileged"}


def test_counts_match_the_cases(report: ScanReport, tmp_path: Path) -> None:
    """Suite and top-level tests/failures/errors/skipped agree with the cases junitparser reads."""
    xml = parse(report, tmp_path)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in xml:
        tests = list(suite)
        counted = {
            "tests": len(tests),
            "failures": sum(isinstance(r, Failure) for t in tests for r in t.result),
            "errors": sum(isinstance(r, Error) for t in tests for r in t.result),
            "skipped": sum(isinstance(r, Skipped) for t in tests for r in t.result),
        }
        assert (suite.tests, suite.failures, suite.errors, suite.skipped) == tuple(counted.values())
        totals = {key: totals[key] + counted[key] for key in totals}
    assert (xml.tests, xml.failures, xml.errors, xml.skipped) == tuple(totals.values())
    # 5 rules x 3 resources of their kind, plus 3 sources.
    assert totals == {"tests": 18, "failures": 3, "errors": 2, "skipped": 2}


def test_open_finding_is_a_failure_with_message_and_remediation(
    report: ScanReport, tmp_path: Path
) -> None:
    """The failure's type is the severity; its text holds the message and the remediation."""
    test = case(
        suites(parse(report, tmp_path))["gke-workload-min-replicas"], f"k8s.workload {API.id}"
    )
    (failure,) = test.result
    assert isinstance(failure, Failure)
    assert failure.type == "medium"
    assert failure.message == "Deployment payments/api runs 1 replica(s); at least 2 are needed"
    assert failure.text is not None and "Remediation: kubectl scale" in failure.text


def test_located_cases_carry_file_and_line(report: ScanReport, tmp_path: Path) -> None:
    """Manifest resources give file and line; live IAM bindings give neither."""
    by_name = suites(parse(report, tmp_path))
    located = case(by_name["gke-workload-min-replicas"], f"k8s.workload {API.id}")
    assert located._elem.get("file") == "deploy/payments/api.yaml"
    assert located._elem.get("line") == "12"
    unlocated = case(by_name["gcp-iam-sa-basic-role"], f"gcp.iam_binding {EDITOR_SA.id}")
    assert unlocated._elem.get("file") is None and unlocated._elem.get("line") is None


def test_waived_and_baselined_findings_are_skipped_with_reason(
    report: ScanReport, tmp_path: Path
) -> None:
    """A waiver or baseline entry skips the case and says why."""
    by_name = suites(parse(report, tmp_path))
    waived = case(
        by_name["gke-workload-privileged"], "k8s.workload gke-prod/payments/Deployment/worker"
    )
    (skipped,) = waived.result
    assert isinstance(skipped, Skipped)
    assert skipped.message.startswith("waived: needs host networking")
    baselined = next(t for t in by_name["gcp-iam-consumer-domain"] if t.result)
    assert baselined.result[0].message.startswith("baselined: present in baseline")


def test_rule_error_is_an_error_case(report: ScanReport, tmp_path: Path) -> None:
    """A rule that could not evaluate a resource is an error, not a pass."""
    test = case(
        suites(parse(report, tmp_path))["gke-workload-min-replicas"], f"k8s.workload {LEDGER.id}"
    )
    (error,) = test.result
    assert isinstance(error, Error)
    assert error.message == "no such key: replicas"


def test_passing_resources_are_passing_cases(report: ScanReport, tmp_path: Path) -> None:
    """A resource the rule judged and found fine is a passed test case."""
    test = case(
        suites(parse(report, tmp_path))["gcp-iam-public-access"], f"gcp.iam_binding {EDITOR_SA.id}"
    )
    assert test.is_passed
    failing = case(
        suites(parse(report, tmp_path))["gcp-iam-public-access"], f"gcp.iam_binding {PUBLIC.id}"
    )
    assert not failing.is_passed


def test_a_down_source_is_an_error(report: ScanReport, tmp_path: Path) -> None:
    """A source that could not be read errors in the source-health suite; healthy ones pass."""
    sources = suites(parse(report, tmp_path))[SOURCES_SUITE]
    down = case(sources, "gke gke-prod")
    assert isinstance(down.result[0], Error)
    assert "timed out after 10s" in down.result[0].message
    assert case(sources, "gcp gcp-org").is_passed


def test_hostile_text_keeps_the_xml_well_formed(hostile_report: ScanReport, tmp_path: Path) -> None:
    """XML-special and XML-forbidden characters are escaped or replaced, never written raw."""
    text = JunitExporter().render(hostile_report, RenderOptions())
    assert "\x00" not in text and "\x1b" not in text and "\x07" not in text
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    by_name = suites(parse(hostile_report, tmp_path))
    hostile_name = "k8s.workload " + HOSTILE_ID.replace("\x1b", "\ufffd").replace("\x07", "\ufffd")
    test = case(by_name["gke-workload-min-replicas"], hostile_name)
    failure = test.result[0]
    assert 'Deployment "a<b>&c"' in failure.message
    assert "数据" in failure.message and len(failure.message) > 20_000
    assert test._elem.get("file") == "deploy/odd dir/ü&<>.yaml"


def test_suites_without_rule_metadata_still_render(report: ScanReport, tmp_path: Path) -> None:
    """A finding whose rule the report does not describe still gets a suite and a case."""
    report.rules = []
    by_name = suites(parse(report, tmp_path))
    assert by_name["gcp-iam-public-access"].failures == 1
    assert [t.name for t in by_name["gcp-iam-public-access"]] == [f"gcp.iam_binding {PUBLIC.id}"]
