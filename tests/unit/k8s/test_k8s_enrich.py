"""Cross-object enrichment: PDBs, HPAs, NetworkPolicies, namespace facts, ServiceAccounts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from auditor.k8s.enrich import allows_eviction

API = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: ingest}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: api, tier: web}}
    spec: {containers: [{name: api, image: api:1}]}
"""
WORKER = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: ingest}
spec:
  replicas: 1
  template:
    metadata: {labels: {app: worker}}
    spec: {serviceAccountName: worker, containers: [{name: w, image: w:1}]}
"""


def pdb(name: str, selector: str, budget: str, namespace: str = "ingest") -> str:
    """A PodDisruptionBudget manifest."""
    return (
        f"apiVersion: policy/v1\nkind: PodDisruptionBudget\n"
        f"metadata: {{name: {name}, namespace: {namespace}}}\n"
        f"spec: {{selector: {selector}, {budget}}}\n"
    )


def policy(name: str, spec: str, namespace: str = "ingest") -> str:
    """A NetworkPolicy manifest."""
    return (
        f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        f"metadata: {{name: {name}, namespace: {namespace}}}\nspec: {spec}\n"
    )


def docs(*parts: str) -> str:
    """Join manifests into one multi-document string."""
    return "\n---\n".join(parts)


def test_pdb_selects_by_labels_and_expressions(normalise: Callable[..., Any]) -> None:
    """A PDB covers the workloads whose pod labels its selector matches, in its namespace only."""
    result = normalise(
        docs(
            API,
            WORKER,
            pdb("by-label", "{matchLabels: {app: api}}", "minAvailable: 2"),
            pdb(
                "by-expr",
                "{matchExpressions: [{key: tier, operator: In, values: [web]}]}",
                "maxUnavailable: 1",
            ),
            pdb("elsewhere", "{matchLabels: {app: api}}", "minAvailable: 1", namespace="etl"),
        )
    )
    pdbs = result.workload("api")["pdbs"]
    assert [p["name"] for p in pdbs] == ["by-label", "by-expr"]
    assert pdbs[0] == {
        "name": "by-label",
        "min_available": 2,
        "max_unavailable": None,
        "allows_eviction": True,
        "allows_eviction_at_hpa_min": None,
    }
    assert result.workload("worker")["pdbs"] == []


@pytest.mark.parametrize(
    ("min_available", "max_unavailable", "replicas", "expected"),
    [
        (None, 0, 3, False),
        (None, "0%", 3, False),
        (None, 1, 3, True),
        (None, "10%", 3, True),
        ("100%", None, 3, False),
        (3, None, 3, False),
        (4, None, 3, False),
        (2, None, 3, True),
        ("60%", None, 2, False),  # rounds up to 2 of 2
        ("50%", None, 2, True),
        (1, None, None, True),  # DaemonSet: replicas unknown, cannot prove a block
        (None, None, 1, True),
    ],
)
def test_allows_eviction(
    min_available: object, max_unavailable: object, replicas: int | None, expected: bool
) -> None:
    """Budgets that can never release a pod are flagged; percentages round up."""
    assert allows_eviction(min_available, max_unavailable, replicas) is expected


HPA_2_TO_10 = (
    "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
    "metadata: {name: api, namespace: ingest}\n"
    "spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api},"
    " minReplicas: 2, maxReplicas: 10}\n"
)


def test_pdb_against_hpa_minimum_and_maximum(normalise: Callable[..., Any]) -> None:
    """Under an HPA a budget is judged at the HPA's maximum (can it ever release a pod?) and,
    separately, at its minimum (does it block while scaled in?)."""
    data = normalise(
        docs(API, HPA_2_TO_10, pdb("p", "{matchLabels: {app: api}}", "minAvailable: 2"))
    ).workload("api")
    assert data["hpa"] == {"name": "api", "min_replicas": 2, "max_replicas": 10}
    assert data["pdbs"][0]["allows_eviction"] is True
    assert data["pdbs"][0]["allows_eviction_at_hpa_min"] is False


def test_pdb_that_never_releases_a_pod_under_an_hpa(normalise: Callable[..., Any]) -> None:
    """maxUnavailable 0 blocks at every scale, the HPA's maximum included."""
    data = normalise(
        docs(API, HPA_2_TO_10, pdb("p", "{matchLabels: {app: api}}", "maxUnavailable: 0"))
    ).workload("api")
    assert data["pdbs"][0]["allows_eviction"] is False
    assert data["pdbs"][0]["allows_eviction_at_hpa_min"] is False


def test_hpa_matches_target_kind_and_name(normalise: Callable[..., Any]) -> None:
    """An HPA applies to the workload of the same kind and name in its namespace; v1 too."""
    statefulset = API.replace("Deployment", "StatefulSet")
    hpa_v1 = (
        "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\n"
        "metadata: {name: scaler, namespace: ingest}\n"
        "spec: {scaleTargetRef: {kind: StatefulSet, name: api}, maxReplicas: 4}\n"
    )
    result = normalise(docs(statefulset, WORKER, hpa_v1))
    assert result.workload("api")["hpa"] == {"name": "scaler", "min_replicas": 1, "max_replicas": 4}
    assert result.workload("worker")["hpa"] is None
    assert normalise(docs(API, hpa_v1)).workload("api")["hpa"] is None


def test_empty_pod_selector_policy_isolates_every_pod(normalise: Callable[..., Any]) -> None:
    """`podSelector: {}` selects all pods and is a namespace default-deny for its types."""
    result = normalise(
        docs(
            API, WORKER, policy("default-deny", "{podSelector: {}, policyTypes: [Ingress, Egress]}")
        )
    )
    for name in ("api", "worker"):
        data = result.workload(name)
        assert data["network_policies"] == ["default-deny"]
        assert data["ingress_isolated"] is True
        assert data["egress_isolated"] is True
        assert data["namespace_default_deny"] == {"ingress": True, "egress": True}
    namespace = result.one("k8s.namespace", "ingest")
    assert namespace["default_deny"] == {"ingress": True, "egress": True}
    assert namespace["network_policy_count"] == 1
    assert namespace["workload_count"] == 2


def test_omitted_pod_selector_and_deny_only_policy_count(normalise: Callable[..., Any]) -> None:
    """A policy without podSelector or rules defaults to {} and Ingress: a deny-all ingress."""
    result = normalise(docs(API, policy("deny-ingress", "{}")))
    data = result.workload("api")
    assert data["ingress_isolated"] is True
    assert data["egress_isolated"] is False
    assert data["namespace_default_deny"] == {"ingress": True, "egress": False}


def test_allow_all_rule_is_not_a_default_deny(normalise: Callable[..., Any]) -> None:
    """A select-all policy whose rule admits everything isolates pods but denies nothing."""
    result = normalise(docs(API, policy("allow-all", "{podSelector: {}, ingress: [{}]}")))
    data = result.workload("api")
    assert data["ingress_isolated"] is True
    assert data["namespace_default_deny"]["ingress"] is False


def test_policy_selecting_some_pods(normalise: Callable[..., Any]) -> None:
    """A labelled policy isolates only the pods it selects; egress type comes from egress rules."""
    result = normalise(
        docs(
            API,
            WORKER,
            policy(
                "api-only",
                "{podSelector: {matchExpressions: [{key: app, operator: In, values: [api]}]},"
                " ingress: [{from: [{podSelector: {}}]}], egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]}",
            ),
        )
    )
    api = result.workload("api")
    assert api["network_policies"] == ["api-only"]
    assert (api["ingress_isolated"], api["egress_isolated"]) == (True, True)
    assert api["namespace_default_deny"] == {"ingress": False, "egress": False}
    worker = result.workload("worker")
    assert worker["network_policies"] == []
    assert (worker["ingress_isolated"], worker["egress_isolated"]) == (False, False)


def test_namespace_labels_reach_workloads(normalise: Callable[..., Any]) -> None:
    """A declared Namespace's labels are copied onto its workloads; undeclared ones are {}."""
    namespace = (
        "apiVersion: v1\nkind: Namespace\n"
        "metadata: {name: ingest, labels: {data-classification: pii}}\n"
    )
    result = normalise(docs(namespace, API, API.replace("ingest", "etl")))
    [api_ingest, api_etl] = result.all("k8s.workload")
    assert api_ingest.data["namespace_labels"] == {"data-classification": "pii"}
    assert api_etl.data["namespace_labels"] == {}
    namespaces = {r.data["name"]: r.data for r in result.all("k8s.namespace")}
    assert namespaces["ingest"]["declared"] is True
    assert namespaces["etl"]["declared"] is False


@pytest.mark.parametrize(
    ("pod_setting", "account_setting", "found", "expected"),
    [
        ("", "", False, True),  # no SA object: the API default, true
        ("", "automountServiceAccountToken: false", True, False),  # SA says no
        ("", "automountServiceAccountToken: true", True, True),
        ("automountServiceAccountToken: true", "automountServiceAccountToken: false", True, True),
        ("automountServiceAccountToken: false", "automountServiceAccountToken: true", True, False),
        ("", "{}", True, True),  # SA present, field unset
    ],
)
def test_effective_automount_token(
    normalise: Callable[..., Any],
    pod_setting: str,
    account_setting: str,
    found: bool,
    expected: bool,
) -> None:
    """The pod's setting wins, else the ServiceAccount's, else true."""
    setting = f", {pod_setting}" if pod_setting else ""
    worker = WORKER.replace("serviceAccountName: worker", f"serviceAccountName: worker{setting}")
    parts = [worker]
    if found:
        body = "" if account_setting == "{}" else account_setting
        parts.append(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: worker\n  namespace: ingest\n"
            "  annotations: {iam.gke.io/gcp-service-account: etl@p.iam.gserviceaccount.com}\n"
            + body
        )
    data = normalise(docs(*parts)).workload("worker")
    assert data["pod"]["automount_token"] is expected
    assert data["service_account_object_found"] is found
    expected_gsa = "etl@p.iam.gserviceaccount.com" if found else None
    assert data["pod"]["gcp_service_account"] == expected_gsa


def test_service_and_account_list_their_workloads(normalise: Callable[..., Any]) -> None:
    """A Service names the workloads its selector matches; a ServiceAccount those that use it."""
    service = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: ingest}\n"
        "spec: {selector: {app: api}, ports: [{port: 80, targetPort: 8080}]}\n"
    )
    account = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: worker, namespace: ingest}\n"
    result = normalise(docs(API, WORKER, service, account))
    assert result.one("k8s.service", "api")["workloads"] == ["Deployment/api"]
    assert result.one("k8s.service_account", "worker")["workloads"] == ["Deployment/worker"]
