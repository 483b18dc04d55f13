"""RBAC bindings: the referenced role's rules expanded from the input or the built-in table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ROLES = """
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secret-reader, namespace: cdc}
rules:
  - {apiGroups: [""], resources: [secrets], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: connector-secrets, namespace: cdc}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
subjects: [{kind: ServiceAccount, name: connector, namespace: cdc}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: ci, namespace: ci}, {kind: Group, name: devs}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ghost, namespace: cdc}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: custom-missing}
subjects: [{kind: User, name: alice@example.com}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: other-namespace-role, namespace: etl}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
subjects: [{kind: User, name: bob@example.com}]
"""


def test_role_binding_expands_role_rules(normalise: Callable[..., Any]) -> None:
    """A RoleBinding carries its Role's rules with snake_case keys and every list present."""
    result = normalise(ROLES)
    [binding] = [r for r in result.all("k8s.rbac_binding") if r.data["name"] == "connector-secrets"]
    assert binding.id == "gke-1/cdc/RoleBinding/connector-secrets"
    assert binding.scope == "gke-1/cdc"
    assert binding.data["role_ref"] == {"kind": "Role", "name": "secret-reader"}
    assert binding.data["subjects"] == [
        {"kind": "ServiceAccount", "name": "connector", "namespace": "cdc"}
    ]
    assert binding.data["rules"] == [
        {
            "api_groups": [""],
            "resources": ["secrets"],
            "verbs": ["get", "list"],
            "resource_names": [],
            "non_resource_urls": [],
        }
    ]
    assert (binding.data["role_found"], binding.data["role_source"]) == (True, "input")


def test_cluster_role_binding_to_builtin_cluster_admin(normalise: Callable[..., Any]) -> None:
    """cluster-admin is expanded from the built-in table; the binding is cluster-scoped."""
    [binding] = [
        r for r in normalise(ROLES).all("k8s.rbac_binding") if r.data["name"] == "ci-admin"
    ]
    assert binding.id == "gke-1/ClusterRoleBinding/ci-admin"
    assert binding.scope == "gke-1"
    assert binding.data["namespace"] is None
    assert binding.data["role_source"] == "builtin"
    assert binding.data["rules"][0]["verbs"] == ["*"]
    assert binding.data["subjects"][1] == {"kind": "Group", "name": "devs", "namespace": None}


def test_missing_role_and_role_in_other_namespace(normalise: Callable[..., Any]) -> None:
    """An unknown role leaves rules empty; a Role is only looked up in the binding's namespace."""
    result = normalise(ROLES)
    for name in ("ghost", "other-namespace-role"):
        data = result.one("k8s.rbac_binding", name)
        assert data["rules"] == []
        assert (data["role_found"], data["role_source"]) == (False, None)


def test_builtin_edit_role_reads_secrets(normalise: Callable[..., Any]) -> None:
    """The built-in edit role grants secrets read and pod exec, as the real one does."""
    data = normalise(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
        "metadata: {name: devs-edit, namespace: etl}\n"
        "roleRef: {kind: ClusterRole, name: edit}\nsubjects: [{kind: Group, name: devs}]\n"
    ).one("k8s.rbac_binding", "devs-edit")
    assert any("secrets" in r["resources"] and "get" in r["verbs"] for r in data["rules"])
    assert any("pods/exec" in r["resources"] and "create" in r["verbs"] for r in data["rules"])
