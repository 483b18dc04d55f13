"""Contracts kept by test: documented fields are exactly the produced ones, and every rule case
under rules/gcp-iam over a policy kind is data the normaliser really produces (the listing
kinds have their own contract in test_gcp_estate_contracts.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.engine.cases import run_cases
from auditor.engine.loader import load_rules
from auditor.gcp.asset_results import parse_policy_result, parse_resource_result
from auditor.gcp.assets import normalise_assets
from auditor.gcp.iam import (
    BINDING_KIND,
    MEMBER_KIND,
    PROJECT_KIND,
    PolicySnapshot,
    normalise_policies,
)
from auditor.model import Resource
from tests.unit.gcp.gcp_docs import documented_fields

REPO = Path(__file__).resolve().parents[3]
RULES = REPO / "rules" / "gcp-iam"
FIXTURES = REPO / "tests" / "fixtures" / "gcp"
ANCESTOR = "organizations/999999999999"


def fixture_resources() -> list[Resource]:
    """Every kind, from the fixture organization, folder and project."""

    def load(name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
        return data

    org, folder = "organizations/123456789012", "folders/987654321098"
    snapshots = [
        PolicySnapshot(org, load("organizations.123456789012.json")),
        PolicySnapshot(folder, load("folders.987654321098.json"), ancestors=(org,)),
        PolicySnapshot(
            "projects/acme-analytics",
            load("projects.acme-analytics.iam.json"),
            ancestors=(folder, org),
            labels={"data-classification": "pii"},
        ),
    ]
    return normalise_policies(snapshots, source="gcp").resources


@pytest.mark.parametrize("kind", [BINDING_KIND, MEMBER_KIND, PROJECT_KIND])
def test_every_documented_field_is_always_present_and_nothing_else(kind: str) -> None:
    """Each resource of the kind has exactly the fields docs/resource-kinds/gcp.md lists."""
    documented = documented_fields()[kind]
    resources = [r for r in fixture_resources() if r.kind == kind]
    assert resources
    for resource in resources:
        assert set(resource.data) == documented, resource.id


RESOURCE_MANAGER_SCOPES = ("project", "folder", "organization")


def renormalise_resource_level(data: dict[str, Any]) -> dict[str, Any]:
    """A resource-level binding (read through Cloud Asset Inventory) rebuilt from the search
    results that state its facts."""
    binding: dict[str, Any] = {"role": data["role"], "members": [data["member"]]}
    if data["condition"]:
        binding["condition"] = {k: v for k, v in data["condition"].items() if v is not None}
    scope, asset_type = data["scope"], data["scope_type"]
    policy = {"resource": scope, "assetType": asset_type, "policy": {"bindings": [binding]}}
    labels = {"name": scope, "assetType": asset_type, "labels": data["scope_labels"]}
    resources = normalise_assets(
        [parse_policy_result(policy, ())], [parse_resource_result(labels, ())], source="cases"
    ).resources
    [match] = [r.data for r in resources if r.kind == BINDING_KIND]
    return match


def renormalise(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The data the normaliser produces for the facts a case resource states."""
    if kind == BINDING_KIND and data["scope_type"] not in RESOURCE_MANAGER_SCOPES:
        return renormalise_resource_level(data)
    scope = data["scope"]
    labels = data["labels"] if kind == PROJECT_KIND else data["scope_labels"]
    if kind == PROJECT_KIND:
        configs = [
            {
                "service": service,
                "auditLogConfigs": [
                    {"logType": log_type, "exemptedMembers": entry["exempted_members"]}
                    for log_type in entry["log_types"]
                ],
            }
            for service, entry in data["audit_configs"]["services"].items()
        ]
        policy = {"version": data["policy_version"], "auditConfigs": configs}
        snapshot = PolicySnapshot(scope, policy, ancestors=tuple(data["ancestors"]), labels=labels)
        return normalise_policies([snapshot], source="cases").resources[0].data
    if kind == BINDING_KIND:
        binding: dict[str, Any] = {"role": data["role"], "members": [data["member"]]}
        if data["condition"]:
            binding["condition"] = {k: v for k, v in data["condition"].items() if v is not None}
        origin = data["inherited_from"] or scope
        snapshots = [PolicySnapshot(origin, {"bindings": [binding]}, labels=labels)]
        if data["inherited_from"]:
            snapshots = [
                PolicySnapshot(origin, {"bindings": [binding]}),
                PolicySnapshot(scope, {}, ancestors=(origin,), labels=labels),
            ]
    else:
        conditional = set(data["conditional_roles"])
        bindings = [
            {"role": role, "members": [data["member"]]}
            | ({"condition": {"expression": "true"}} if role in conditional else {})
            for role in data["roles"]
        ]
        inherited = sorted(set(data["roles_anywhere"]) - set(data["roles"]))
        snapshots = [
            PolicySnapshot(
                ANCESTOR,
                {"bindings": [{"role": r, "members": [data["member"]]} for r in inherited]},
            ),
            PolicySnapshot(scope, {"bindings": bindings}, ancestors=(ANCESTOR,), labels=labels),
        ]
    resources = normalise_policies(snapshots, source="cases").resources
    [match] = [
        r.data
        for r in resources
        if r.kind == kind and r.scope == scope and r.data["member"] == data["member"]
    ]
    return match


def rule_cases() -> list[tuple[str, str, str, dict[str, Any]]]:
    """(rule id, kind, case name, resource data) for every case of every policy-kind rule."""
    cases = []
    for path in sorted(RULES.glob("*.yaml")):
        rule = yaml.safe_load(path.read_text(encoding="utf-8"))
        if rule["resource"] not in (BINDING_KIND, MEMBER_KIND, PROJECT_KIND):
            continue
        for outcome in ("pass", "fail"):
            for case in rule["cases"][outcome]:
                cases.append((rule["id"], rule["resource"], case["name"], case["resource"]))
    return cases


@pytest.mark.parametrize(
    ("rule_id", "kind", "name", "data"), rule_cases(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_rule_cases_are_faithful_normaliser_output(
    rule_id: str, kind: str, name: str, data: dict[str, Any]
) -> None:
    """Re-normalising the facts a case states gives back exactly the case's resource."""
    assert renormalise(kind, data) == data, f"{rule_id}: {name}"


def test_there_are_gcp_rule_cases() -> None:
    """The contract above has something to check."""
    assert len(rule_cases()) >= 14


def test_gcp_rules_load_and_their_cases_hold() -> None:
    """Every rule under rules/gcp-iam validates, and each pass/fail case behaves as labelled."""
    loaded = load_rules([RULES])
    assert loaded.ok, [problem.one_line() for problem in loaded.problems]
    failures = [
        f"{result.rule_id} [{result.expected}] {result.name}: {result.detail}"
        for rule in loaded.rules
        for result in run_cases(rule)
        if not result.ok
    ]
    assert failures == []
