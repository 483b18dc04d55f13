"""The JSON report: documented shape, stable order, counts, and the published schema."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.exporting import RenderOptions
from auditor.report import REPORT_SCHEMA_VERSION, ScanReport
from exporters.evidence import REDACTED, looks_like_secret
from exporters.json_report import JsonExporter
from tests.unit.exporters.sample_report import (
    API,
    EDITOR_SA,
    GMAIL,
    MIN_REPLICAS,
    PUBLIC,
    build_report,
    finding,
)

SCHEMA_PATH = Path(__file__).parents[3] / "docs" / "report.schema.json"


def render(report: ScanReport) -> dict[str, Any]:
    """The report rendered and parsed back."""
    document: dict[str, Any] = json.loads(JsonExporter().render(report, RenderOptions()))
    return document


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    """docs/report.schema.json, checked to be a valid draft 2020-12 schema."""
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


def test_output_validates_against_the_published_schema(
    report: ScanReport, schema: dict[str, Any]
) -> None:
    """The sample report's JSON is valid under docs/report.schema.json."""
    jsonschema.Draft202012Validator(schema).validate(render(report))


def test_hostile_text_still_validates(hostile_report: ScanReport, schema: dict[str, Any]) -> None:
    """Control characters and markup in messages keep the document valid JSON and schema-valid."""
    text = JsonExporter().render(hostile_report, RenderOptions())
    assert "\x1b" not in text and "\x00" not in text  # escaped as \u001b, \u0000
    document = json.loads(text)
    jsonschema.Draft202012Validator(schema).validate(document)
    messages = [f["message"] for f in document["findings"]]
    assert any("数据" in message and len(message) > 20_000 for message in messages)


def test_schema_rejects_an_undocumented_field(report: ScanReport, schema: dict[str, Any]) -> None:
    """A field the schema does not list fails validation, so new fields must be documented."""
    document = render(report)
    document["findings"][0]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(document)


def test_header_fields(report: ScanReport) -> None:
    """Version, tool, time from the report (never the clock), gate and inputs are present."""
    document = render(report)
    assert list(document)[:5] == ["schema_version", "tool", "generated_at", "fail_on", "passed"]
    assert document["schema_version"] == REPORT_SCHEMA_VERSION
    assert document["tool"] == {"name": "auditor", "version": "0.1.0"}
    assert document["generated_at"] == "2026-03-02T09:30:00Z"
    assert document["fail_on"] == "high"
    assert document["passed"] is False
    assert document["inputs"] == ["deploy/", "iam/data-prod.json"]


def test_generated_at_is_converted_to_utc(report: ScanReport) -> None:
    """A zoned timestamp is written as the same instant in UTC with a Z suffix."""
    report.generated_at = datetime(2026, 3, 2, 11, 30, tzinfo=timezone(timedelta(hours=2)))
    assert render(report)["generated_at"] == "2026-03-02T09:30:00Z"


def test_findings_are_ordered_worst_first_then_rule_then_resource(report: ScanReport) -> None:
    """Findings sort by severity rank descending, then rule id, then resource id."""
    report.findings.append(finding(MIN_REPLICAS, EDITOR_SA, "second medium, earlier id"))
    keys = [(f["severity"], f["rule_id"], f["resource"]["id"]) for f in render(report)["findings"]]
    assert keys == [
        ("critical", "gcp-iam-public-access", PUBLIC.id),
        ("high", "gcp-iam-sa-basic-role", EDITOR_SA.id),
        ("high", "gke-workload-privileged", "gke-prod/payments/Deployment/worker"),
        ("medium", "gke-workload-min-replicas", "gke-prod/payments/Deployment/api"),
        ("medium", "gke-workload-min-replicas", EDITOR_SA.id),
        ("low", "gcp-iam-consumer-domain", GMAIL.id),
    ]


def test_a_finding_carries_every_documented_field(report: ScanReport) -> None:
    """A located k8s finding has its resource, location, evidence, fingerprint and times."""
    api = next(f for f in render(report)["findings"] if f["resource"]["id"] == API.id)
    assert api == {
        "rule_id": "gke-workload-min-replicas",
        "severity": "medium",
        "category": "ha",
        "status": "open",
        "status_reason": "",
        "fingerprint": finding(MIN_REPLICAS, API, "").fingerprint,
        "message": "Deployment payments/api runs 1 replica(s); at least 2 are needed",
        "remediation": MIN_REPLICAS.remediation,
        "evidence": {"hpa": None, "replicas": 1},
        "resource": {
            "kind": "k8s.workload",
            "id": API.id,
            "scope": "gke-prod/payments",
            "source": "manifests",
            "location": {"file": "deploy/payments/api.yaml", "line": 12},
        },
        "first_seen": "2026-02-20T08:00:00Z",
        "last_seen": "2026-03-02T09:30:00Z",
    }


def test_unlocated_resources_have_a_null_location(report: ScanReport) -> None:
    """IAM bindings read from a live source carry `location: null`."""
    iam = [f for f in render(report)["findings"] if f["resource"]["kind"] == "gcp.iam_binding"]
    assert iam and all(f["resource"]["location"] is None for f in iam)


def test_waived_and_baselined_findings_stay_with_their_reasons(report: ScanReport) -> None:
    """Waived and baselined findings are listed with status and reason."""
    statuses = {f["rule_id"]: (f["status"], f["status_reason"]) for f in render(report)["findings"]}
    assert statuses["gke-workload-privileged"][0] == "waived"
    assert "CNI migration" in statuses["gke-workload-privileged"][1]
    assert statuses["gcp-iam-consumer-domain"] == (
        "baselined",
        "present in baseline .auditor-baseline.json",
    )


def test_summary_counts_every_severity_category_and_status(report: ScanReport) -> None:
    """Counts include zeros, split by status, and count errors, resources and rules."""
    summary = render(report)["summary"]
    assert summary["by_severity"] == {"critical": 1, "high": 2, "medium": 1, "low": 1, "info": 0}
    assert summary["open_by_severity"] == {
        "critical": 1,
        "high": 1,
        "medium": 1,
        "low": 0,
        "info": 0,
    }
    assert summary["by_category"] == {
        "zero-trust": 2,
        "least-privilege": 1,
        "pii": 1,
        "ha": 1,
        "freshness": 0,
        "hygiene": 0,
    }
    assert summary["by_status"] == {"open": 3, "waived": 1, "baselined": 1}
    assert (summary["errors"], summary["resources"], summary["rules"]) == (1, 6, 5)


def test_errors_sources_waivers_and_rules_are_listed(report: ScanReport) -> None:
    """Rule errors, source health, expired waivers and rule metadata are all in the document."""
    document = render(report)
    assert document["errors"] == [
        {
            "rule_id": "gke-workload-min-replicas",
            "resource": {
                "kind": "k8s.workload",
                "id": "gke-prod/ledger/StatefulSet/ledger-db",
                "scope": "gke-prod/ledger",
                "source": "manifests",
                "location": {"file": "deploy/ledger/db.yaml", "line": 40},
            },
            "error": "no such key: replicas",
        }
    ]
    assert [s["name"] for s in document["sources"]] == ["gcp-org", "gke-prod", "manifests"]
    down = document["sources"][1]
    assert down["up"] is False and down["error"] == "timed out after 10s listing deployments"
    assert down["last_success"] == "2026-03-01T22:00:00Z"
    assert document["expired_waivers"][0]["expires"] == "2026-02-01"
    assert [r["id"] for r in document["rules"]] == sorted(r["id"] for r in document["rules"])
    privileged = next(r for r in document["rules"] if r["id"] == "gke-workload-privileged")
    assert privileged["references"][0]["label"] == "CIS GKE Benchmark v1.5.0 5.2.1"


def test_report_only_scan_has_null_fail_on_and_passes(report: ScanReport) -> None:
    """With no fail-on severity the document says so and the gate passes."""
    report.fail_on = None
    document = render(report)
    assert document["fail_on"] is None and document["passed"] is True


def test_evidence_values_become_plain_json(report: ScanReport) -> None:
    """Datetimes, sets, tuples and non-finite floats in evidence become JSON values."""
    report.findings[0].evidence = {
        "z_last_commit": datetime(2026, 3, 1, tzinfo=UTC),
        "roles": {"roles/owner", "roles/editor"},
        "pair": (1, 2),
        "lag": math.nan,
        "nested": {"b": 1, "a": [math.inf]},
    }
    evidence = next(
        f["evidence"] for f in render(report)["findings"] if f["resource"]["id"] == API.id
    )
    assert list(evidence) == ["lag", "nested", "pair", "roles", "z_last_commit"]
    assert evidence["z_last_commit"] == "2026-03-01T00:00:00Z"
    assert evidence["roles"] == ["roles/editor", "roles/owner"]
    assert evidence["pair"] == [1, 2]
    assert evidence["lag"] == "nan"
    assert evidence["nested"] == {"a": ["inf"], "b": 1}


def test_evidence_that_looks_like_a_secret_is_redacted(report: ScanReport) -> None:
    """A credential-shaped string or a value under a secret-named key never reaches the report."""
    report.findings[0].evidence = {
        "env": {"DB_PASSWORD": "set", "password": "hunter2"},
        "key_file": "-----BEGIN PRIVATE KEY-----\nMIIEv...\n-----END PRIVATE KEY-----\n",
        "api": "AIza" + "A" * 35,
        "automount_token": True,
        "secret_env_vars": ["DB_PASSWORD"],
    }
    text = JsonExporter().render(report, RenderOptions())
    assert "hunter2" not in text and "PRIVATE KEY" not in text and "AIza" not in text
    evidence = next(
        f["evidence"] for f in json.loads(text)["findings"] if f["resource"]["id"] == API.id
    )
    assert evidence["env"] == {"DB_PASSWORD": "set", "password": REDACTED}
    assert evidence["key_file"] == REDACTED and evidence["api"] == REDACTED
    # Names of secrets and booleans about them are not secrets.
    assert evidence["automount_token"] is True
    assert evidence["secret_env_vars"] == ["DB_PASSWORD"]


def test_empty_report_is_valid(schema: dict[str, Any]) -> None:
    """A scan with nothing in it still renders a complete, valid document."""
    report = build_report()
    report.findings, report.errors, report.sources = [], [], []
    report.expired_waivers, report.rules, report.resources = [], [], []
    document = render(report)
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["passed"] is True and document["findings"] == []


def test_secret_backstop_spares_ordinary_evidence() -> None:
    """Only credential shapes and secret-named keys are redacted, not words that mention them."""
    assert looks_like_secret("token", "abc")
    assert looks_like_secret("Client-Secret", "abc")
    assert looks_like_secret("note", "token ya29." + "a" * 30)
    assert not looks_like_secret("token", "")
    assert not looks_like_secret("secret_name", "db-credentials")
    assert not looks_like_secret("member", "serviceAccount:etl@data-prod.iam.gserviceaccount.com")


def test_every_schema_field_is_documented(schema: dict[str, Any]) -> None:
    """Each property the schema defines is named in docs/report-formats.md."""
    documented = (SCHEMA_PATH.parent / "report-formats.md").read_text(encoding="utf-8")
    names: set[str] = set()

    def collect(node: object) -> None:
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(schema)
    assert names, "the schema defines no properties"
    missing = sorted(name for name in names if f"`{name}`" not in documented)
    assert missing == []


def test_every_written_field_is_in_the_schema(report: ScanReport, schema: dict[str, Any]) -> None:
    """The exporter writes exactly the top-level fields the schema requires, no more."""
    assert list(render(report)) == schema["required"]
