"""RoleBindings and ClusterRoleBindings as `k8s.rbac_binding` data, with the role's rules.

A binding alone says little: what it grants lives in the Role or ClusterRole it references.
When that role is in the input its rules are copied onto the binding; the four user-facing
ClusterRoles every cluster has (cluster-admin, admin, edit, view) come from a built-in table
condensed from the Kubernetes bootstrap policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.k8s.objects import K8sObject, mapping, sequence

_READ = ["get", "list", "watch"]
_WRITE = ["create", "delete", "deletecollection", "patch", "update"]
_CORE_READ = [
    "configmaps",
    "endpoints",
    "persistentvolumeclaims",
    "pods",
    "pods/log",
    "pods/status",
    "replicationcontrollers",
    "serviceaccounts",
    "services",
    "events",
    "limitranges",
    "resourcequotas",
    "namespaces",
]
_APPS = ["daemonsets", "deployments", "deployments/scale", "replicasets", "statefulsets"]
_VIEW = [
    ([""], _CORE_READ, _READ),
    (["apps"], [*_APPS, "controllerrevisions"], _READ),
    (["autoscaling"], ["horizontalpodautoscalers"], _READ),
    (["batch"], ["cronjobs", "jobs"], _READ),
    (["policy"], ["poddisruptionbudgets"], _READ),
    (["networking.k8s.io"], ["ingresses", "networkpolicies"], _READ),
    (["discovery.k8s.io"], ["endpointslices"], _READ),
]
_EDIT = [
    *_VIEW,
    (
        [""],
        ["secrets", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "services/proxy"],
        _READ,
    ),
    ([""], ["serviceaccounts"], ["impersonate"]),
    ([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], _WRITE),
    ([""], ["pods/eviction", "serviceaccounts/token"], ["create"]),
    (
        [""],
        [
            "configmaps",
            "events",
            "persistentvolumeclaims",
            "secrets",
            "serviceaccounts",
            "services",
        ],
        _WRITE,
    ),
    (["apps"], _APPS, _WRITE),
    (["autoscaling"], ["horizontalpodautoscalers"], _WRITE),
    (["batch"], ["cronjobs", "jobs"], _WRITE),
    (["policy"], ["poddisruptionbudgets"], _WRITE),
    (["networking.k8s.io"], ["ingresses", "networkpolicies"], _WRITE),
]
_ADMIN = [
    *_EDIT,
    (["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
    (["rbac.authorization.k8s.io"], ["rolebindings", "roles"], [*_READ, *_WRITE]),
]


def _rule(groups: list[str], resources: list[str], verbs: list[str]) -> dict[str, Any]:
    return {
        "api_groups": list(groups),
        "resources": list(resources),
        "verbs": list(verbs),
        "resource_names": [],
        "non_resource_urls": [],
    }


BUILTIN_CLUSTER_ROLES: dict[str, list[dict[str, Any]]] = {
    "cluster-admin": [
        _rule(["*"], ["*"], ["*"]),
        {
            "api_groups": [],
            "resources": [],
            "verbs": ["*"],
            "resource_names": [],
            "non_resource_urls": ["*"],
        },
    ],
    "admin": [_rule(*r) for r in _ADMIN],
    "edit": [_rule(*r) for r in _EDIT],
    "view": [_rule(*r) for r in _VIEW],
}


def role_rules(role: K8sObject) -> list[dict[str, Any]]:
    """The rules of a Role or ClusterRole object, with snake_case keys and lists always present."""
    return [_policy_rule(mapping(r)) for r in sequence(role.body.get("rules"))]


def _policy_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "api_groups": _strings(rule.get("apiGroups")),
        "resources": _strings(rule.get("resources")),
        "verbs": _strings(rule.get("verbs")),
        "resource_names": _strings(rule.get("resourceNames")),
        "non_resource_urls": _strings(rule.get("nonResourceURLs")),
    }


def _strings(value: Any) -> list[str]:
    return [str(v) for v in sequence(value)]


RoleIndex = Mapping[tuple[str, str | None, str], K8sObject]
"""Roles by (kind, namespace, name); ClusterRoles have namespace None."""


def binding_data(binding: K8sObject, roles: RoleIndex) -> dict[str, Any]:
    """The `k8s.rbac_binding` data of one RoleBinding or ClusterRoleBinding."""
    ref = mapping(binding.body.get("roleRef"))
    ref_kind = str(ref.get("kind") or "")
    ref_name = str(ref.get("name") or "")
    role_namespace = binding.namespace if ref_kind == "Role" else None
    role = roles.get((ref_kind, role_namespace, ref_name))
    rules: list[dict[str, Any]] = []
    source = None
    if role is not None:
        rules, source = role_rules(role), "input"
    elif ref_kind == "ClusterRole" and ref_name in BUILTIN_CLUSTER_ROLES:
        builtin = BUILTIN_CLUSTER_ROLES[ref_name]
        rules, source = [{k: list(v) for k, v in r.items()} for r in builtin], "builtin"
    return {
        "name": binding.name,
        "namespace": binding.namespace,
        "binding_kind": binding.kind,
        "labels": binding.labels,
        "annotations": binding.annotations,
        "role_ref": {"kind": ref_kind, "name": ref_name},
        "subjects": [_subject(mapping(s)) for s in sequence(binding.body.get("subjects"))],
        "rules": rules,
        "role_found": source is not None,
        "role_source": source,
    }


def _subject(subject: Mapping[str, Any]) -> dict[str, Any]:
    namespace = subject.get("namespace")
    return {
        "kind": str(subject.get("kind") or ""),
        "name": str(subject.get("name") or ""),
        "namespace": None if namespace is None else str(namespace),
    }
