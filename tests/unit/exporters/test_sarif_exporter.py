"""SARIF 2.1.0: valid under the official schema, and shaped the way GitHub code scanning reads it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from jsonschema.validators import validator_for

from auditor.exporting import RenderOptions
from auditor.model import Location, ResourceRef
from auditor.report import ScanReport
from exporters.sarif import SarifExporter
from tests.unit.exporters.sample_report import (
    API,
    EDITOR_SA,
    LEDGER,
    MIN_REPLICAS,
    finding,
)

SCHEMA_PATH = Path(__file__).parents[2] / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.protocols.Validator:
    """A validator for the vendored OASIS schema, of the draft that schema declares."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator: jsonschema.protocols.Validator = validator_class(schema)
    return validator


def render(report: ScanReport) -> dict[str, Any]:
    """The report rendered as SARIF and parsed back."""
    log: dict[str, Any] = json.loads(SarifExporter().render(report, RenderOptions()))
    return log


def run_of(report: ScanReport) -> dict[str, Any]:
    """The single run of the report's SARIF log."""
    log = render(report)
    assert len(log["runs"]) == 1
    run: dict[str, Any] = log["runs"][0]
    return run


def result_for(run: dict[str, Any], rule_id: str, resource_id: str) -> dict[str, Any]:
    """The result of `rule_id` on `resource_id`."""
    matches: list[dict[str, Any]] = [
        result
        for result in run["results"]
        if result["ruleId"] == rule_id
        and result["locations"][0]["logicalLocations"][0]["name"] == resource_id
    ]
    assert len(matches) == 1
    return matches[0]


def test_output_validates_against_the_official_schema(
    report: ScanReport, sarif_validator: jsonschema.protocols.Validator
) -> None:
    """The sample report's SARIF log is valid SARIF 2.1.0."""
    sarif_validator.validate(render(report))


def test_hostile_text_still_validates(
    hostile_report: ScanReport, sarif_validator: jsonschema.protocols.Validator
) -> None:
    """Control characters, markup and odd file names keep the log valid."""
    sarif_validator.validate(render(hostile_report))


def test_log_header_and_driver(report: ScanReport) -> None:
    """Version 2.1.0, one run, and a driver named auditor with its version and home page."""
    log = render(report)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "auditor" and driver["version"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")


def test_one_descriptor_per_evaluated_rule(report: ScanReport) -> None:
    """Every evaluated rule has a descriptor, sorted by id, findings or not."""
    rules = run_of(report)["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == sorted(rule.id for rule in report.rules)


def test_descriptor_carries_titles_help_tags_and_github_severity(report: ScanReport) -> None:
    """A rule descriptor has its title, description, remediation help, tags and scores."""
    rules = {rule["id"]: rule for rule in run_of(report)["tool"]["driver"]["rules"]}
    privileged = rules["gke-workload-privileged"]
    assert privileged["name"] == "GkeWorkloadPrivileged"
    assert privileged["shortDescription"]["text"] == "Containers do not run privileged"
    assert privileged["fullDescription"]["text"].startswith("A privileged container")
    assert "securityContext.privileged: false" in privileged["help"]["text"]
    assert "securityContext.privileged: false" in privileged["help"]["markdown"]
    assert privileged["helpUri"] == "https://www.cisecurity.org/benchmark/kubernetes"
    assert privileged["defaultConfiguration"] == {"level": "error"}
    properties = privileged["properties"]
    assert properties["tags"] == ["security", "zero-trust", "CIS GKE Benchmark v1.5.0 5.2.1"]
    assert properties["security-severity"] == "8.0"
    assert properties["precision"] in {"very-high", "high", "medium", "low"}
    # A reliability rule is not tagged security; its first reference gives helpUri.
    replicas = rules["gke-workload-min-replicas"]
    assert replicas["properties"]["tags"] == ["ha"]
    assert replicas["helpUri"] == "https://polaris.docs.fairwinds.com/checks/reliability/"
    assert replicas["defaultConfiguration"] == {"level": "warning"}
    # A rule without any reference URL has no helpUri.
    assert "helpUri" not in rules["gcp-iam-public-access"]
    assert rules["gcp-iam-public-access"]["properties"]["security-severity"] == "9.5"
    assert rules["gcp-iam-consumer-domain"]["properties"]["security-severity"] == "3.0"


def test_every_result_points_at_its_rule(report: ScanReport) -> None:
    """ruleIndex is the position of ruleId in the driver's rules."""
    run = run_of(report)
    ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert len(run["results"]) == len(report.findings)
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]


def test_levels_follow_severity(report: ScanReport) -> None:
    """critical and high are errors, medium a warning, low a note."""
    levels = {r["properties"]["severity"]: r["level"] for r in run_of(report)["results"]}
    assert levels == {"critical": "error", "high": "error", "medium": "warning", "low": "note"}


def test_located_resource_has_a_relative_physical_location(report: ScanReport) -> None:
    """A manifest finding points at its file under %SRCROOT% and its line."""
    result = result_for(run_of(report), MIN_REPLICAS.id, API.id)
    location = result["locations"][0]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "deploy/payments/api.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 12},
    }
    assert location["logicalLocations"][0]["kind"] == "k8s.workload"
    assert result["message"]["text"].startswith("Deployment payments/api runs 1 replica")
    assert result["partialFingerprints"] == {
        "auditor/v1": finding(MIN_REPLICAS, API, "").fingerprint
    }


def test_unlocated_resource_has_only_a_logical_location(report: ScanReport) -> None:
    """A live IAM binding is named by id and kind, with no file."""
    result = result_for(run_of(report), "gcp-iam-sa-basic-role", EDITOR_SA.id)
    location = result["locations"][0]
    assert "physicalLocation" not in location
    assert location["logicalLocations"][0]["name"] == EDITOR_SA.id
    assert location["logicalLocations"][0]["kind"] == "gcp.iam_binding"


@pytest.mark.parametrize(
    ("path", "artifact"),
    [
        ("./deploy/api.yaml", {"uri": "deploy/api.yaml", "uriBaseId": "%SRCROOT%"}),
        (
            "deploy/odd dir/ü.yaml",
            {"uri": "deploy/odd%20dir/%C3%BC.yaml", "uriBaseId": "%SRCROOT%"},
        ),
        ("/srv/repo/deploy/api.yaml", {"uri": "file:///srv/repo/deploy/api.yaml"}),
        ("C:\\repo\\deploy\\api.yaml", {"uri": "file:///C:/repo/deploy/api.yaml"}),
    ],
)
def test_file_paths_become_uris(report: ScanReport, path: str, artifact: dict[str, str]) -> None:
    """Relative paths resolve against %SRCROOT%; absolute ones become file URIs; all are encoded."""
    report.findings = [
        finding(
            MIN_REPLICAS,
            ResourceRef(
                kind=API.kind,
                id=API.id,
                scope=API.scope,
                source=API.source,
                location=Location(file=path, line=3),
            ),
            "one replica",
        )
    ]
    physical = run_of(report)["results"][0]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == artifact


def test_waived_and_baselined_results_are_suppressed(report: ScanReport) -> None:
    """A waiver and a baseline entry are accepted external suppressions with their reason."""
    run = run_of(report)
    waived = next(r for r in run["results"] if r["properties"]["status"] == "waived")
    assert waived["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "needs host networking until the CNI migration "
            "(owner sre@example.com)",
        }
    ]
    baselined = next(r for r in run["results"] if r["properties"]["status"] == "baselined")
    assert baselined["suppressions"][0]["justification"].startswith("baselined: present")
    opened = [r for r in run["results"] if r["properties"]["status"] == "open"]
    assert opened and all("suppressions" not in r for r in opened)


def test_baseline_state_only_when_a_baseline_was_used(report: ScanReport) -> None:
    """With a baseline, open results are new and baselined ones unchanged; without, no state."""
    assert all("baselineState" not in r for r in run_of(report)["results"])
    report.extra["baseline_used"] = True
    states = {r["properties"]["status"]: r.get("baselineState") for r in run_of(report)["results"]}
    assert states == {"open": "new", "baselined": "unchanged", "waived": None}


def test_rule_errors_and_down_sources_fail_the_invocation(report: ScanReport) -> None:
    """Rule errors and down sources are error notifications and mark the run unsuccessful."""
    invocation = run_of(report)["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    rule_error = next(n for n in notes if "associatedRule" in n)
    assert rule_error["level"] == "error"
    assert rule_error["associatedRule"]["id"] == MIN_REPLICAS.id
    assert "no such key: replicas" in rule_error["message"]["text"]
    assert LEDGER.id in rule_error["message"]["text"]
    rules = run_of(report)["tool"]["driver"]["rules"]
    assert rules[rule_error["associatedRule"]["index"]]["id"] == MIN_REPLICAS.id
    assert any("gke-prod" in n["message"]["text"] and "down" in n["message"]["text"] for n in notes)


def test_expired_waivers_are_configuration_warnings(report: ScanReport) -> None:
    """An expired waiver is a configuration notification naming the rule, date and owner."""
    notes = run_of(report)["invocations"][0]["toolConfigurationNotifications"]
    assert len(notes) == 1 and notes[0]["level"] == "warning"
    assert "gke-workload-*" in notes[0]["message"]["text"]
    assert "2026-02-01" in notes[0]["message"]["text"]


def test_clean_scan_is_successful(report: ScanReport) -> None:
    """No rule errors and every source up make the invocation successful."""
    report.errors = []
    for source in report.sources:
        source.up, source.error = True, ""
    invocation = run_of(report)["invocations"][0]
    assert invocation["executionSuccessful"] is True
    assert invocation["toolExecutionNotifications"] == []
    assert invocation["endTimeUtc"] == "2026-03-02T09:30:00Z"


def test_a_finding_of_an_undescribed_rule_still_has_a_descriptor(
    report: ScanReport, sarif_validator: jsonschema.protocols.Validator
) -> None:
    """A rule id missing from report.rules gets a bare descriptor so ruleIndex stays valid."""
    report.rules = [rule for rule in report.rules if rule.id != MIN_REPLICAS.id]
    log = render(report)
    sarif_validator.validate(log)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    bare = next(rule for rule in rules if rule["id"] == MIN_REPLICAS.id)
    assert bare["defaultConfiguration"] == {"level": "warning"}


def test_the_schema_check_has_teeth(
    report: ScanReport, sarif_validator: jsonschema.protocols.Validator
) -> None:
    """A log with a level SARIF does not define fails the vendored schema."""
    log = render(report)
    log["runs"][0]["results"][0]["level"] = "critical"
    with pytest.raises(jsonschema.ValidationError):
        sarif_validator.validate(log)
