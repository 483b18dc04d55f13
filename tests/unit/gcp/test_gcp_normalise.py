"""The IAM normaliser: bindings, members and projects from one or many scopes' policies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.gcp.iam import (
    BINDING_KIND,
    MEMBER_KIND,
    PROJECT_KIND,
    PiiLabel,
    PolicySnapshot,
    normalise_policies,
)
from auditor.gcp.policy import PolicyFormatError
from auditor.model import Resource

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "gcp"
PROJECT = "projects/acme-analytics"
FOLDER = "folders/987654321098"
ORG = "organizations/123456789012"
PII_LABELS = {"data-classification": "pii", "env": "prod"}


def fixture(name: str) -> dict[str, Any]:
    """A policy from tests/fixtures/gcp."""
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def hierarchy(expand_inherited: bool = True) -> list[Resource]:
    """The organization, folder and project fixtures normalised together."""
    snapshots = [
        PolicySnapshot(ORG, fixture("organizations.123456789012.json")),
        PolicySnapshot(FOLDER, fixture("folders.987654321098.json"), ancestors=(ORG,)),
        PolicySnapshot(
            PROJECT,
            fixture("projects.acme-analytics.iam.json"),
            ancestors=(FOLDER, ORG),
            labels=PII_LABELS,
        ),
    ]
    return normalise_policies(snapshots, source="gcp", expand_inherited=expand_inherited).resources


def single(policy: dict[str, Any], scope: str = PROJECT, **kwargs: Any) -> list[Resource]:
    """One policy normalised on its own."""
    return normalise_policies([PolicySnapshot(scope, policy, **kwargs)], source="gcp").resources


def by_id(resources: list[Resource], kind: str) -> dict[str, Resource]:
    """Resources of `kind` keyed by id."""
    return {r.id: r for r in resources if r.kind == kind}


def test_one_binding_resource_per_scope_role_member() -> None:
    """Each member of each binding becomes a gcp.iam_binding with scope, role and member facts."""
    bindings = by_id(single(fixture("projects.acme-analytics.iam.json")), BINDING_KIND)
    etl_editor = bindings[
        "projects/acme-analytics/roles/editor/serviceAccount:etl@acme-analytics.iam.gserviceaccount.com"
    ]
    assert etl_editor.scope == PROJECT
    assert etl_editor.source == "gcp"
    data = etl_editor.data
    assert (data["scope_type"], data["scope_id"], data["role_type"]) == (
        "project",
        "acme-analytics",
        "basic",
    )
    assert data["is_service_account"] and not data["is_google_managed_sa"]
    assert data["condition"] is None and data["inherited_from"] is None
    assert len([b for b in bindings.values() if b.data["role"] == "roles/editor"]) == 3


def test_conditional_binding_keeps_its_condition_and_a_distinct_id() -> None:
    """A conditional binding's id carries its title and its data the whole condition."""
    bindings = by_id(single(fixture("projects.acme-analytics.iam.json")), BINDING_KIND)
    admin = bindings[
        "projects/acme-analytics/roles/bigquery.admin/group:data-eng@acme.example#cond:q3-migration"
    ]
    assert admin.data["condition"] == {
        "title": "q3-migration",
        "description": "Temporary access for the Q3 migration",
        "expression": 'request.time < timestamp("2026-10-01T00:00:00Z")',
    }
    assert admin.data["is_admin_role"]


def test_same_role_and_member_with_and_without_conditions_are_separate_resources() -> None:
    """Unconditional, titled, untitled and same-title conditional grants never collide."""
    expression_a = 'request.time < timestamp("2026-01-01T00:00:00Z")'
    expression_b = 'resource.name.startsWith("projects/_/buckets/raw")'
    policy = {
        "bindings": [
            {"role": "roles/storage.admin", "members": ["user:a@acme.example"]},
            {
                "role": "roles/storage.admin",
                "members": ["user:a@acme.example"],
                "condition": {"title": "temp", "expression": expression_a},
            },
            {
                "role": "roles/storage.admin",
                "members": ["user:a@acme.example"],
                "condition": {"title": "temp", "expression": expression_b},
            },
            {
                "role": "roles/storage.admin",
                "members": ["user:a@acme.example"],
                "condition": {"expression": expression_b},
            },
        ]
    }
    ids = [r.id for r in single(policy) if r.kind == BINDING_KIND]
    assert len(ids) == len(set(ids)) == 4
    base = "projects/acme-analytics/roles/storage.admin/user:a@acme.example"
    assert ids[0] == base
    assert ids[1] == f"{base}#cond:temp"
    assert ids[2].startswith(f"{base}#cond:temp~")
    assert ids[3].startswith(f"{base}#cond:") and "temp" not in ids[3]


def test_three_conditions_sharing_a_title_dedupe_by_expression() -> None:
    """A repeat of a same-title condition is the same grant, not a third resource."""
    other = {"title": "temp", "expression": 'resource.name.startsWith("projects/_/buckets/raw")'}
    policy = {
        "bindings": [
            {
                "role": "roles/storage.admin",
                "members": ["user:a@acme.example"],
                "condition": {"title": "temp", "expression": "true"},
            },
            {"role": "roles/storage.admin", "members": ["user:a@acme.example"], "condition": other},
            {"role": "roles/storage.admin", "members": ["user:a@acme.example"], "condition": other},
        ]
    }
    assert len([r for r in single(policy) if r.kind == BINDING_KIND]) == 2


def test_resources_do_not_share_mutable_data() -> None:
    """Changing one resource's labels leaves the others alone."""
    policy = {"bindings": [{"role": "roles/viewer", "members": ["allUsers", "group:g@a.example"]}]}
    first, second = [r for r in single(policy, labels={"env": "prod"}) if r.kind == BINDING_KIND]
    first.data["scope_labels"]["env"] = "changed"
    assert second.data["scope_labels"] == {"env": "prod"}


def test_repeated_grant_yields_one_resource() -> None:
    """The same member twice in a binding, or the same binding twice, is one resource."""
    policy = {
        "bindings": [
            {"role": "roles/viewer", "members": ["user:a@acme.example", "user:a@acme.example"]},
            {"role": "roles/viewer", "members": ["user:a@acme.example"]},
        ]
    }
    assert len([r for r in single(policy) if r.kind == BINDING_KIND]) == 1


def test_version_one_withcond_role_is_restored_with_a_warning() -> None:
    """`ROLE_withcond_HASH` becomes ROLE with an unknown condition, and the loader warns."""
    policy = {
        "version": 1,
        "bindings": [{"role": "roles/editor_withcond_6b2e0a", "members": ["group:g@acme.example"]}],
    }
    result = normalise_policies([PolicySnapshot(PROJECT, policy)], source="gcp")
    [binding] = [r for r in result.resources if r.kind == BINDING_KIND]
    assert binding.data["role"] == "roles/editor"
    assert binding.data["role_type"] == "basic"
    assert binding.data["condition"] == {"title": None, "description": None, "expression": None}
    assert binding.id.endswith("#cond:withcond_6b2e0a")
    assert len(result.warnings) == 1
    assert "policy version 3" in result.warnings[0]


def test_bindings_of_ancestors_are_copied_onto_descendants() -> None:
    """An organization grant appears at the organization and, marked inherited, on each scope below."""
    bindings = by_id(hierarchy(), BINDING_KIND)
    at_org = bindings[f"{ORG}/roles/storage.objectViewer/allAuthenticatedUsers"]
    on_project = bindings[f"{PROJECT}/roles/storage.objectViewer/allAuthenticatedUsers#from:{ORG}"]
    on_folder = bindings[f"{FOLDER}/roles/storage.objectViewer/allAuthenticatedUsers#from:{ORG}"]
    assert at_org.data["inherited_from"] is None
    assert on_project.data["inherited_from"] == ORG
    assert on_project.scope == PROJECT
    assert on_project.data["pii"] is True
    assert on_folder.data["pii"] is False
    assert on_project.data["scope_labels"] == PII_LABELS


def test_inherited_copies_can_be_turned_off() -> None:
    """With expand_inherited off, every binding appears only where it is granted."""
    assert all(
        r.data["inherited_from"] is None
        for r in hierarchy(expand_inherited=False)
        if r.kind == BINDING_KIND
    )


def test_member_roles_are_aggregated_per_scope() -> None:
    """A member's direct roles on a scope are listed sorted, with the conditional ones apart."""
    members = by_id(single(fixture("projects.acme-analytics.iam.json")), MEMBER_KIND)
    data_eng = members["projects/acme-analytics/group:data-eng@acme.example"].data
    assert data_eng["roles"] == [
        "roles/bigquery.admin",
        "roles/bigquery.dataEditor",
        "roles/iam.serviceAccountUser",
    ]
    assert data_eng["conditional_roles"] == ["roles/bigquery.admin"]
    assert data_eng["roles_anywhere"] == data_eng["roles"]
    assert data_eng["member_type"] == "group"
    assert data_eng["member_domain"] == "acme.example"


def test_roles_anywhere_adds_roles_held_on_known_ancestors() -> None:
    """roles_anywhere joins the member's roles on the folder and organization above."""
    members = by_id(hierarchy(), MEMBER_KIND)
    data_eng = members["projects/acme-analytics/group:data-eng@acme.example"].data
    assert "roles/iam.serviceAccountAdmin" not in data_eng["roles"]
    assert "roles/iam.serviceAccountAdmin" in data_eng["roles_anywhere"]
    assert data_eng["roles_anywhere"] == sorted(set(data_eng["roles_anywhere"]))


def test_members_holding_only_inherited_roles_have_no_member_resource_below() -> None:
    """Members are judged where they are granted something directly."""
    members = by_id(hierarchy(), MEMBER_KIND)
    assert f"{ORG}/group:kms-admins@acme.example" in members
    assert f"{PROJECT}/group:kms-admins@acme.example" not in members


def test_project_audit_config_is_normalised() -> None:
    """Audit configs become services → log types and exempted members, sorted."""
    [project] = [
        r for r in single(fixture("projects.acme-analytics.iam.json")) if r.kind == PROJECT_KIND
    ]
    assert project.id == PROJECT
    assert project.data["audit_configs"] == {
        "services": {
            "allServices": {"log_types": ["ADMIN_READ"], "exempted_members": []},
            "bigquery.googleapis.com": {
                "log_types": ["DATA_READ", "DATA_WRITE"],
                "exempted_members": ["serviceAccount:etl@acme-analytics.iam.gserviceaccount.com"],
            },
        }
    }
    # Data Access logs for BigQuery alone are not Data Access logs for all services.
    assert project.data["data_access_logs_enabled"] is False
    assert project.data["policy_version"] == 3


def test_data_access_logs_enabled_on_the_organization_reach_the_project() -> None:
    """Audit configs add up down the hierarchy, exemptions included."""
    [project] = [r for r in hierarchy() if r.kind == PROJECT_KIND]
    assert project.data["data_access_logs_enabled"] is True
    assert project.data["data_access_logs_exempted_members"] == [
        "serviceAccount:etl@acme-analytics.iam.gserviceaccount.com"
    ]
    assert project.data["ancestors"] == [FOLDER, ORG]
    # The project's own config stays its own.
    assert "DATA_READ" not in project.data["audit_configs"]["services"]["allServices"]["log_types"]


def test_data_access_logs_need_both_read_and_write() -> None:
    """DATA_READ alone is not enough."""
    policy = {
        "auditConfigs": [{"service": "allServices", "auditLogConfigs": [{"logType": "DATA_READ"}]}]
    }
    [project] = [r for r in single(policy) if r.kind == PROJECT_KIND]
    assert project.data["data_access_logs_enabled"] is False


def test_folders_and_organizations_get_no_project_resource() -> None:
    """gcp.project exists only for projects."""
    projects = [r.id for r in hierarchy() if r.kind == PROJECT_KIND]
    assert projects == [PROJECT]


@pytest.mark.parametrize(
    ("labels", "pii", "expected"),
    [
        ({"data-classification": "pii"}, PiiLabel(), True),
        ({"data-classification": "internal"}, PiiLabel(), False),
        ({}, PiiLabel(), False),
        (
            {"sensitivity": "personal"},
            PiiLabel(key="sensitivity", values=("personal", "pii")),
            True,
        ),
    ],
)
def test_pii_follows_the_configured_label(
    labels: dict[str, str], pii: PiiLabel, expected: bool
) -> None:
    """Projects hold PII when the configured label has one of the configured values."""
    snapshot = PolicySnapshot(
        PROJECT, {"bindings": [{"role": "roles/viewer", "members": ["allUsers"]}]}, labels=labels
    )
    resources = normalise_policies([snapshot], source="gcp", pii=pii).resources
    assert {r.data["pii"] for r in resources} == {expected}


@pytest.mark.parametrize(
    ("policy", "path", "problem"),
    [
        ({"bindings": {}}, ("bindings",), "must be a list"),
        ({"bindings": ["roles/viewer"]}, ("bindings", 0), "must be an object"),
        ({"bindings": [{"members": ["allUsers"]}]}, ("bindings", 0), "has no role"),
        ({"bindings": [{"role": 7, "members": []}]}, ("bindings", 0, "role"), "must be a string"),
        ({"bindings": [{"role": "viewer", "members": []}]}, ("bindings", 0, "role"), "roles/NAME"),
        ({"bindings": [{"role": "roles/viewer"}]}, ("bindings", 0), "has no members"),
        (
            {"bindings": [{"role": "roles/viewer", "members": "allUsers"}]},
            ("bindings", 0, "members"),
            "must be a list",
        ),
        (
            {"bindings": [{"role": "roles/viewer", "members": ["allUsers", 3]}]},
            ("bindings", 0, "members", 1),
            "must be a string",
        ),
        (
            {"bindings": [{"role": "roles/viewer", "members": ["usr:a@b.example"]}]},
            ("bindings", 0, "members", 0),
            "unknown member prefix",
        ),
        (
            {"bindings": [{"role": "roles/viewer", "members": [], "condition": "x"}]},
            ("bindings", 0, "condition"),
            "must be an object",
        ),
        (
            {"bindings": [{"role": "roles/viewer", "members": [], "condition": {"title": "t"}}]},
            ("bindings", 0, "condition", "expression"),
            "needs an expression",
        ),
        ({"version": "3"}, ("version",), "must be a number"),
        ({"auditConfigs": [{"auditLogConfigs": []}]}, ("auditConfigs", 0), "has no service"),
        (
            {"auditConfigs": [{"service": "allServices", "auditLogConfigs": [{}]}]},
            ("auditConfigs", 0, "auditLogConfigs", 0),
            "has no logType",
        ),
    ],
)
def test_malformed_policies_name_the_field(
    policy: dict[str, Any], path: tuple[str | int, ...], problem: str
) -> None:
    """Every structural problem raises PolicyFormatError with the field path and scope."""
    with pytest.raises(PolicyFormatError, match=problem) as caught:
        single(policy)
    assert caught.value.path == path
    assert caught.value.scope == PROJECT


def test_bad_scope_is_rejected() -> None:
    """A scope that is not a project, folder or organization raises, naming the forms."""
    with pytest.raises(PolicyFormatError, match="projects/PROJECT_ID"):
        single({}, scope="buckets/raw")


def test_two_policies_for_one_scope_are_rejected() -> None:
    """The same scope twice in one run is an error, not a silent overwrite."""
    snapshots = [PolicySnapshot(PROJECT, {}), PolicySnapshot(PROJECT, {})]
    with pytest.raises(PolicyFormatError, match="two policies"):
        normalise_policies(snapshots, source="gcp")


def test_full_resource_names_are_shortened() -> None:
    """The Cloud Asset form of a scope is accepted and stored short."""
    resources = single(
        {"bindings": [{"role": "roles/viewer", "members": ["group:g@acme.example"]}]},
        scope="//cloudresourcemanager.googleapis.com/projects/acme-analytics",
    )
    assert {r.scope for r in resources} == {PROJECT}
