"""Role classification, and exact matching of administrative roles."""

from __future__ import annotations

import pytest

from auditor.gcp.roles import parse_role


@pytest.mark.parametrize(
    ("role", "role_type", "role_name"),
    [
        ("roles/owner", "basic", "owner"),
        ("roles/editor", "basic", "editor"),
        ("roles/viewer", "basic", "viewer"),
        ("roles/storage.objectViewer", "predefined", "storage.objectViewer"),
        ("projects/acme-analytics/roles/pipelineOperator", "custom", "pipelineOperator"),
        ("organizations/123456789012/roles/auditReader", "custom", "auditReader"),
    ],
)
def test_role_types(role: str, role_type: str, role_name: str) -> None:
    """Basic, predefined and custom roles are told apart by their names."""
    parsed = parse_role(role)
    assert (parsed.role_type, parsed.role_name) == (role_type, role_name)


@pytest.mark.parametrize(
    "role",
    [
        "roles/owner",
        "roles/storage.admin",
        "roles/cloudkms.admin",
        "roles/iam.securityAdmin",
        "roles/iam.serviceAccountAdmin",
        "roles/resourcemanager.organizationAdmin",
        "roles/resourcemanager.projectIamAdmin",
        "roles/container.clusterAdmin",
    ],
)
def test_admin_roles_are_admin(role: str) -> None:
    """Owner and roles whose last word is admin or ends in Admin are administrative."""
    assert parse_role(role).is_admin_role


@pytest.mark.parametrize(
    "role",
    [
        # Prowler flagged this one by substring (prowler-cloud/prowler#4393).
        "roles/accessapproval.configEditor",
        "roles/securitycenter.adminViewer",
        "roles/compute.osAdminLogin",
        "roles/editor",
        "roles/viewer",
        "roles/iam.serviceAccountUser",
        "projects/acme-analytics/roles/admin",
        "organizations/123456789012/roles/securityAdmin",
    ],
)
def test_lookalike_and_custom_roles_are_not_admin(role: str) -> None:
    """'admin' elsewhere in the name, basic roles and custom roles are not administrative."""
    assert not parse_role(role).is_admin_role


@pytest.mark.parametrize(
    "role", ["owner", "roles/", "projects/p/roles/", "folders/1/roles/x", "roles/storage admin"]
)
def test_malformed_roles_are_rejected(role: str) -> None:
    """A role outside the three accepted forms raises, naming the forms."""
    with pytest.raises(ValueError, match="roles/NAME"):
        parse_role(role)
