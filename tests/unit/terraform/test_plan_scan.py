"""`auditor scan plan.json`: a Terraform plan is judged by the IAM rules before release, each
finding pointing at the plan's line and the resource's Terraform address."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.errors import InputError
from auditor.loaders.static import StaticOptions, load_static
from auditor.model import Inventory, Location
from auditor.snapshot import read_snapshot, snapshot_document

PLAN = Path(__file__).resolve().parents[2] / "fixtures" / "terraform" / "plan.json"
# Resources of the data platform itself, judged in the next test.
RESOURCE_LEVEL = ("google_bigquery", "google_storage", "google_pubsub", "google_cloudfunctions",
                  "google_dataflow", "google_service_account_iam")  # fmt: skip


def _plan() -> dict[str, Any]:
    return json.loads(PLAN.read_text())


def _write(tmp_path: Path, plan: dict[str, Any]) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=2))
    return path


def _change(plan: dict[str, Any], address: str) -> dict[str, Any]:
    return next(c for c in plan["resource_changes"] if c["address"] == address)


@pytest.fixture(scope="module")
def plan_findings() -> list[dict[str, Any]]:
    """The findings of the fixture plan, scanned once for the tests that only read them."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "scan",
            str(PLAN),
            *("--format", "json", "--fail-on", "none"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return list(json.loads(done.stdout)["findings"])


def _findings(auditor_cli: Any, path: Path) -> list[dict[str, Any]]:
    run = auditor_cli("scan", str(path), "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.stderr
    return list(json.loads(run.stdout)["findings"])


def test_every_iam_rule_judges_what_the_plan_would_grant(
    plan_findings: list[dict[str, Any]],
) -> None:
    found = {
        (f["rule_id"], f["resource"]["location"]["address"])
        for f in plan_findings
        if not f["resource"]["location"]["address"].startswith(RESOURCE_LEVEL)
    }
    assert found == {
        ("gcp-iam-consumer-domain", "google_project_iam_binding.analysts"),
        ("gcp-iam-custom-role-dangerous-permissions", "google_project_iam_custom_role.pipeline"),
        ("gcp-iam-public-member", "module.legacy.google_project_iam_member.public_viewer"),
        # The member is `google_service_account.etl.email`, unknown until apply: resolved from
        # the planned account's account_id and project.
        ("gcp-iam-sa-basic-role", "google_project_iam_member.etl_editor"),
        ("gcp-iam-sa-basic-role", "google_project_iam_policy.sandbox"),
        ("gcp-iam-basic-role-any", "google_project_iam_policy.sandbox"),
        # The key's account is a reference too; the key counts against the new account.
        ("gcp-iam-sa-user-managed-keys", "google_service_account.etl"),
        # Only the authoritative policy says how audit logs are set; other projects' audit
        # configs live outside the plan and are not judged from it.
        ("gcp-project-data-access-logs-disabled", "google_project_iam_policy.sandbox"),
    }


def test_resource_level_grants_and_facts_meet_the_data_platform_rules(
    plan_findings: list[dict[str, Any]],
) -> None:
    findings = plan_findings
    found = {(f["rule_id"], f["resource"]["location"]["address"]) for f in findings}
    assert {
        # A PII-labelled dataset readable by any Google account.
        ("gcp-iam-public-member-pii", "google_bigquery_dataset_iam_member.customers_everyone"),
        ("gcp-iam-public-member", "google_storage_bucket_iam_member.dags_public"),
        # An authoritative binding and policy on resources are read like the member form.
        ("gcp-iam-public-member", "google_storage_bucket_iam_binding.dags_readers"),
        ("gcp-iam-consumer-domain", "google_bigquery_dataset_iam_policy.events_raw"),
        ("gcp-assets-bucket-uniform-access", "google_storage_bucket.dags"),
        ("gcp-assets-bucket-public-access-prevention", "google_storage_bucket.dags"),
        ("gcp-assets-subscription-dead-letter", "google_pubsub_subscription.orders_etl"),
        ("gcp-assets-function-ingress-all", "google_cloudfunctions2_function.webhook"),
        ("gcp-assets-function-public-invoker", "google_cloudfunctions2_function.webhook"),
        ("gcp-assets-function-runtime-sa", "google_cloudfunctions2_function.webhook"),
        ("gcp-assets-dataflow-worker-sa", "google_dataflow_job.nightly_export"),
        # dev may mint tokens of the new etl account, which the plan makes an editor; the
        # account is named by a reference, resolved from its account_id and project.
        (
            "gcp-assets-impersonation-path",
            "google_service_account_iam_member.dev_can_impersonate_etl",
        ),
    } <= found
    dataset_grant = next(
        f
        for f in findings
        if f["resource"]["location"]["address"]
        == "google_bigquery_dataset_iam_member.customers_everyone"
    )
    assert dataset_grant["severity"] == "critical"
    assert dataset_grant["resource"]["id"].startswith(
        "//bigquery.googleapis.com/projects/acme-analytics/datasets/customers/"
    )


def test_a_grant_the_plan_deletes_is_not_judged(plan_findings: list[dict[str, Any]]) -> None:
    members = {f["resource"]["id"] for f in plan_findings}
    assert not any("former@gmail.com" in member for member in members)


def test_a_finding_points_at_the_line_of_its_resource_change(
    plan_findings: list[dict[str, Any]],
) -> None:
    lines = PLAN.read_text().splitlines()
    for finding in plan_findings:
        location = finding["resource"]["location"]
        assert location["file"].endswith("plan.json")
        # The located line opens the resource change whose address follows it.
        assert lines[location["line"] - 1].strip() == "{"
        assert f'"address": "{location["address"]}"' in lines[location["line"]]


def test_sarif_names_the_terraform_address_first(auditor_cli: Any) -> None:
    run = auditor_cli("scan", str(PLAN), "--format", "sarif", "--fail-on", "none")
    results = json.loads(run.stdout)["runs"][0]["results"]
    by_rule = {r["ruleId"]: r for r in results}
    location = by_rule["gcp-iam-public-member"]["locations"][0]
    assert location["logicalLocations"][0] == {
        "name": "module.legacy.google_project_iam_member.public_viewer",
        "fullyQualifiedName": "module.legacy.google_project_iam_member.public_viewer",
        "kind": "resource",
    }
    assert location["physicalLocation"]["region"]["startLine"] >= 1


def test_a_member_known_only_after_apply_is_reported_not_guessed(tmp_path: Path) -> None:
    loaded, sources = load_static([PLAN], StaticOptions())
    assert any(
        "google_project_iam_member.from_output: 1 member(s) known only after apply" in warning
        for warning in loaded.warnings
    )
    assert not any(r.data.get("role") == "roles/bigquery.admin" for r in loaded.resources)
    assert [s.name for s in sources] == ["terraform-plan:plan.json"]


def test_an_audit_config_resource_turns_data_access_logging_on(
    tmp_path: Path, auditor_cli: Any
) -> None:
    plan = _plan()
    audit = copy.deepcopy(_change(plan, "google_project_iam_member.etl_editor"))
    audit.update(address="google_project_iam_audit_config.sandbox", name="sandbox")
    audit["type"] = "google_project_iam_audit_config"
    audit["change"]["after"] = {
        "project": "acme-sandbox",
        "service": "allServices",
        "audit_log_config": [
            {"log_type": "DATA_READ", "exempted_members": []},
            {"log_type": "DATA_WRITE", "exempted_members": []},
        ],
    }
    plan["resource_changes"].append(audit)
    rules = {f["rule_id"] for f in _findings(auditor_cli, _write(tmp_path, plan))}
    assert "gcp-project-data-access-logs-disabled" not in rules


def test_a_project_the_plan_labels_pii_makes_its_public_grant_critical(
    tmp_path: Path, auditor_cli: Any
) -> None:
    plan = _plan()
    _change(plan, "module.legacy.google_project_iam_member.public_viewer")["change"]["after"][
        "project"
    ] = "acme-analytics"  # labelled data-classification=pii by google_project.analytics
    findings = _findings(auditor_cli, _write(tmp_path, plan))
    address = "module.legacy.google_project_iam_member.public_viewer"
    [grant] = [f for f in findings if f["resource"]["location"]["address"] == address]
    assert (grant["rule_id"], grant["severity"]) == ("gcp-iam-public-member-pii", "critical")


def test_a_malformed_change_is_an_input_error_naming_file_line_and_field(tmp_path: Path) -> None:
    plan = _plan()
    del _change(plan, "google_service_account.etl")["change"]
    path = _write(tmp_path, plan)
    with pytest.raises(InputError) as caught:
        load_static([path], StaticOptions())
    message = str(caught.value)
    assert "resource_changes[2].change: expected a `change` object" in message
    assert str(path) in message
    line = caught.value.line
    assert line is not None
    assert '"address": "google_service_account.etl"' in path.read_text().splitlines()[line]


def test_a_malformed_plan_exits_2_with_one_line(tmp_path: Path, auditor_cli: Any) -> None:
    plan = _plan()
    _change(plan, "google_project.analytics")["change"]["actions"] = "create"
    run = auditor_cli("scan", str(_write(tmp_path, plan)))
    assert run.code == 2
    assert "change.actions: expected a list of action names" in run.stderr
    assert "Traceback" not in run.stderr


def test_the_address_survives_a_snapshot_round_trip(tmp_path: Path) -> None:
    loaded, _ = load_static([PLAN], StaticOptions())
    inventory = Inventory(resources=loaded.resources, sources=[])
    document = snapshot_document(inventory, datetime(2026, 11, 26, tzinfo=UTC))
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(document))
    again = read_snapshot(path, json.loads(path.read_text()))
    addresses = {r.location.address for r in again.resources if r.location}
    assert "module.legacy.google_project_iam_member.public_viewer" in addresses
    assert all(isinstance(r.location, Location) for r in again.resources)
