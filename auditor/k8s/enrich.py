"""Cross-object facts computed once, so each rule judges a single resource.

Is this workload covered by a PodDisruptionBudget, scaled by an HPA, isolated by a
NetworkPolicy, running under a ServiceAccount that mounts its token? The answers are stored on
the workload's data here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from auditor.k8s.network import (
    EGRESS,
    INGRESS,
    NetworkPolicyFacts,
    default_deny,
    network_policy_facts,
)
from auditor.k8s.objects import K8sObject, integer, mapping
from auditor.k8s.selectors import selector_matches
from auditor.k8s.workload import Workload
from auditor.model import PiiLabel


@dataclass(slots=True)
class ClusterIndex:
    """The non-workload objects of one input, indexed for lookups by namespace and name."""

    namespaces: dict[str, K8sObject] = field(default_factory=dict)
    policies: dict[str, list[NetworkPolicyFacts]] = field(default_factory=lambda: defaultdict(list))
    pdbs: dict[str, list[K8sObject]] = field(default_factory=lambda: defaultdict(list))
    hpas: dict[tuple[str, str, str], K8sObject] = field(default_factory=dict)
    service_accounts: dict[tuple[str, str], K8sObject] = field(default_factory=dict)
    roles: dict[tuple[str, str | None, str], K8sObject] = field(default_factory=dict)

    @classmethod
    def build(cls, objects: Iterable[K8sObject]) -> ClusterIndex:
        """Index every object the enrichment looks up."""
        index = cls()
        for obj in objects:
            namespace = obj.namespace or ""
            if obj.kind == "Namespace":
                index.namespaces[obj.name] = obj
            elif obj.kind == "NetworkPolicy":
                index.policies[namespace].append(network_policy_facts(obj))
            elif obj.kind == "PodDisruptionBudget":
                index.pdbs[namespace].append(obj)
            elif obj.kind == "HorizontalPodAutoscaler":
                target = mapping(obj.spec.get("scaleTargetRef"))
                key = (namespace, str(target.get("kind")), str(target.get("name")))
                # Two HPAs on one target is a misconfiguration; the first by name is reported.
                if key not in index.hpas or obj.name < index.hpas[key].name:
                    index.hpas[key] = obj
            elif obj.kind == "ServiceAccount":
                index.service_accounts[(namespace, obj.name)] = obj
            elif obj.kind in ("Role", "ClusterRole"):
                index.roles[(obj.kind, obj.namespace, obj.name)] = obj
        return index

    def namespace_labels(self, namespace: str) -> dict[str, str]:
        """The labels of the Namespace object, or {} when it is not in the input."""
        declared = self.namespaces.get(namespace)
        return dict(declared.labels) if declared else {}

    def default_deny(self, namespace: str) -> dict[str, bool]:
        """{ingress, egress}: whether a policy with an empty podSelector denies by default."""
        return default_deny(self.policies.get(namespace, []))


def enrich_workload(workload: Workload, index: ClusterIndex, pii: PiiLabel) -> None:
    """Fill the cross-object fields of one workload's data in place."""
    data = workload.data
    namespace = workload.obj.namespace or ""
    hpa = _hpa(index.hpas.get((namespace, workload.obj.kind, workload.obj.name)))
    data["hpa"] = hpa
    data["pdbs"] = [
        _pdb(pdb, data["replicas"], hpa)
        for pdb in index.pdbs.get(namespace, [])
        if selector_matches(pdb.spec.get("selector"), workload.pod_labels)
    ]
    selecting = [p for p in index.policies.get(namespace, []) if p.selects(workload.pod_labels)]
    data["network_policies"] = [p.name for p in selecting]
    data["ingress_isolated"] = any(INGRESS in p.policy_types for p in selecting)
    data["egress_isolated"] = any(EGRESS in p.policy_types for p in selecting)
    data["namespace_default_deny"] = index.default_deny(namespace)
    data["namespace_labels"] = index.namespace_labels(namespace)
    data["pii"] = any(
        pii.matches(labels)
        for labels in (data["namespace_labels"], workload.obj.labels, workload.pod_labels)
    )
    _service_account(workload, index)


def _service_account(workload: Workload, index: ClusterIndex) -> None:
    pod = workload.data["pod"]
    account = index.service_accounts.get((workload.obj.namespace or "", pod["service_account"]))
    workload.data["service_account_object_found"] = account is not None
    account_automount = account.body.get("automountServiceAccountToken") if account else None
    if workload.pod_automount is not None:
        pod["automount_token"] = workload.pod_automount
    elif isinstance(account_automount, bool):
        pod["automount_token"] = account_automount
    else:
        pod["automount_token"] = True
    if account is not None:
        pod["gcp_service_account"] = account.annotations.get("iam.gke.io/gcp-service-account")


def _hpa(hpa: K8sObject | None) -> dict[str, Any] | None:
    if hpa is None:
        return None
    minimum = integer(hpa.spec.get("minReplicas"))
    return {
        "name": hpa.name,
        "min_replicas": 1 if minimum is None else minimum,
        "max_replicas": integer(hpa.spec.get("maxReplicas")),
    }


def _pdb(pdb: K8sObject, replicas: int | None, hpa: dict[str, Any] | None) -> dict[str, Any]:
    min_available = pdb.spec.get("minAvailable")
    max_unavailable = pdb.spec.get("maxUnavailable")
    # "Never releases a pod" is judged at the most pods the workload runs (the HPA's maximum);
    # an HPA's minimum, where a budget blocks only while scaled in, is judged separately.
    most = hpa["max_replicas"] if hpa else replicas
    at_min = allows_eviction(min_available, max_unavailable, hpa["min_replicas"]) if hpa else None
    return {
        "name": pdb.name,
        "min_available": min_available,
        "max_unavailable": max_unavailable,
        "allows_eviction": allows_eviction(min_available, max_unavailable, most),
        "allows_eviction_at_hpa_min": at_min,
    }


def allows_eviction(min_available: Any, max_unavailable: Any, replicas: int | None) -> bool:
    """False when the budget can never let a pod go (at `replicas` pods, when known).

    maxUnavailable 0 or 0% blocks always; minAvailable 100% blocks always; a minAvailable that
    reaches the replica count (percentages round up, as the disruption controller does) blocks.
    """
    if max_unavailable is not None:
        return _amount(max_unavailable, replicas) != 0
    if min_available is None:
        return True
    if _percent(min_available) == 100:
        return False
    needed = _amount(min_available, replicas)
    return replicas is None or needed is None or needed < replicas


def _amount(value: Any, replicas: int | None) -> int | None:
    # An int-or-string: an absolute count, or a percentage of the replicas rounded up.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    percent = _percent(value)
    if percent is None:
        return None
    if percent == 0:
        return 0
    return None if replicas is None else math.ceil(replicas * percent / 100)


def _percent(value: Any) -> float | None:
    if isinstance(value, str) and value.endswith("%"):
        try:
            return float(value[:-1])
        except ValueError:
            return None
    return None
