"""The ClusterRole in deploy/rbac grants get/list on exactly the kinds the collector lists, and
the collector lists exactly the kinds the normaliser reads."""

from __future__ import annotations

from pathlib import Path

import yaml
from kubernetes import client

from auditor.collectors.gke.kinds import LISTED_KINDS
from auditor.k8s.objects import SUPPORTED_KINDS

ROLE = Path(__file__).resolve().parents[3] / "deploy" / "rbac" / "auditor-gke-reader.yaml"


def _cluster_role() -> dict[str, object]:
    documents = list(yaml.safe_load_all(ROLE.read_text(encoding="utf-8")))
    roles = [d for d in documents if d["kind"] == "ClusterRole"]
    assert len(roles) == 1
    return roles[0]


def test_the_collector_lists_every_kind_the_normaliser_reads() -> None:
    """kinds.py names each kind of auditor.k8s.objects.SUPPORTED_KINDS once."""
    kinds = [kind.kind for kind in LISTED_KINDS]
    assert sorted(kinds) == sorted(SUPPORTED_KINDS)


def test_the_cluster_role_grants_get_and_list_on_exactly_those_kinds() -> None:
    """Every (API group, resource) the collector lists has get and list, and nothing else is
    granted: no other resource, verb, resourceName or non-resource URL."""
    granted: set[tuple[str, str]] = set()
    for rule in _cluster_role()["rules"]:  # type: ignore[attr-defined]
        assert sorted(rule["verbs"]) == ["get", "list"], rule
        assert set(rule) == {"apiGroups", "resources", "verbs"}, rule
        granted |= {
            (group, resource) for group in rule["apiGroups"] for resource in rule["resources"]
        }
    assert granted == {(kind.group, kind.plural) for kind in LISTED_KINDS}


def test_the_binding_refers_to_the_role() -> None:
    """The ClusterRoleBinding in the same file binds that ClusterRole."""
    documents = list(yaml.safe_load_all(ROLE.read_text(encoding="utf-8")))
    binding = next(d for d in documents if d["kind"] == "ClusterRoleBinding")
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": _cluster_role()["metadata"]["name"],  # type: ignore[index]
    }


def test_every_list_method_exists_in_the_client() -> None:
    """The client method each kind is listed with exists (namespaced and cluster-wide)."""
    for kind in LISTED_KINDS:
        api = getattr(client, kind.api)
        assert callable(getattr(api, kind.list_method(namespaced_call=False))), kind.kind
        if kind.namespaced:
            assert callable(getattr(api, kind.list_method(namespaced_call=True))), kind.kind
