"""The single entry point from raw Kubernetes objects to resources.

Manifest files, rendered Helm charts and (later) the live GKE collector all call `normalize`
with plain dicts, so a Deployment becomes the same `k8s.workload` whichever way it was read.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from auditor.k8s.enrich import ClusterIndex, enrich_workload
from auditor.k8s.objects import (
    WORKLOAD_KINDS,
    K8sObject,
    RawObject,
    Skipped,
    expand_lists,
    parse_object,
    where,
)
from auditor.k8s.rbac import binding_data
from auditor.k8s.resources import configmap_data, service_account_data, service_data
from auditor.k8s.selectors import map_selector_matches
from auditor.k8s.workload import Workload, build_workload
from auditor.model import PiiLabel, Resource

# The default PII label (auditor.yaml `pii`): `data-classification: pii`.
DEFAULT_PII = PiiLabel()


@dataclass(slots=True)
class NormalizeResult:
    """Resources made from the objects, and warnings for objects skipped or half-understood."""

    resources: list[Resource] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def normalize(
    objects: Sequence[RawObject],
    *,
    cluster: str,
    source: str,
    default_namespace: str = "default",
    observed_at: datetime | None = None,
    pii: PiiLabel = DEFAULT_PII,
) -> NormalizeResult:
    """Turn raw objects of one cluster into k8s.* resources with cross-object facts filled in.

    Namespaced objects without a namespace go to `default_namespace` (as kubectl would, or
    the release namespace for a Helm chart). Objects of kinds we do not read, and repeats of
    an object already seen, are skipped with a warning. `pii` is the label that marks a
    namespace (or an object) as holding personal data; it sets each resource's `pii` field.
    """
    result = NormalizeResult()
    parsed = _parse_all(objects, default_namespace, result.warnings)
    index = ClusterIndex.build(parsed)
    workloads = [build_workload(obj) for obj in parsed if obj.kind in WORKLOAD_KINDS]
    for workload in workloads:
        enrich_workload(workload, index, pii)
        prefix = f"{where(workload.obj.location)}{workload.obj.describe()}: "
        result.warnings.extend(prefix + w for w in workload.warnings)
    by_object = {id(w.obj): w for w in workloads}
    neighbours = _WorkloadLookup(workloads)
    builder = _Builder(cluster, source, observed_at)
    for obj in parsed:
        data = _data(obj, by_object.get(id(obj)), neighbours, index, pii)
        if data is not None:
            result.resources.append(builder.resource(obj, data))
    result.resources.extend(builder.namespaces(parsed, workloads, index, pii))
    return result


def _parse_all(
    objects: Sequence[RawObject], default_namespace: str, warnings: list[str]
) -> list[K8sObject]:
    parsed: list[K8sObject] = []
    seen: dict[tuple[str, str | None, str], K8sObject] = {}
    for raw in expand_lists(objects):
        obj = parse_object(raw, default_namespace=default_namespace)
        if obj is None:
            continue
        if isinstance(obj, Skipped):
            warnings.append(f"{where(obj.location)}skipped: {obj.reason}")
            continue
        key = (obj.kind, obj.namespace, obj.name)
        first = seen.get(key)
        if first is not None:
            at = (
                f" (first at {first.location.file}:{first.location.line})" if first.location else ""
            )
            warnings.append(f"{where(obj.location)}skipped: duplicate {obj.describe()}{at}")
            continue
        seen[key] = obj
        parsed.append(obj)
    return parsed


def _data(
    obj: K8sObject,
    workload: Workload | None,
    lookup: _WorkloadLookup,
    index: ClusterIndex,
    pii: PiiLabel,
) -> dict[str, Any] | None:
    if workload is not None:
        return workload.data
    namespace = obj.namespace or ""
    data: dict[str, Any]
    if obj.kind == "Service":
        data = service_data(obj)
        data["workloads"] = [_workload_ref(w) for w in lookup.selected(namespace, data["selector"])]
    elif obj.kind == "ServiceAccount":
        data = service_account_data(obj)
        data["workloads"] = [_workload_ref(w) for w in lookup.running_as(namespace, obj.name)]
    elif obj.kind == "ConfigMap":
        data = configmap_data(obj)
    elif obj.kind in ("RoleBinding", "ClusterRoleBinding"):
        data = binding_data(obj, index.roles)
    else:
        return None  # Namespaces are built with their counts; policies, PDBs, HPAs, roles enrich.
    # Its own label, or its namespace's (a ClusterRoleBinding has only its own).
    namespace_labels = index.namespace_labels(obj.namespace) if obj.namespace else {}
    data["pii"] = pii.matches(obj.labels) or pii.matches(namespace_labels)
    return data


class _WorkloadLookup:
    """Workloads by ServiceAccount and by pod label, so Services and ServiceAccounts find
    theirs without comparing every pair (thousands of each in one namespace is common)."""

    def __init__(self, workloads: list[Workload]) -> None:
        self._by_account: dict[tuple[str, str], list[Workload]] = defaultdict(list)
        self._by_label: dict[tuple[str, str, str], list[Workload]] = defaultdict(list)
        for workload in workloads:
            namespace = workload.obj.namespace or ""
            account = workload.data["pod"]["service_account"]
            self._by_account[(namespace, account)].append(workload)
            for key, value in workload.pod_labels.items():
                self._by_label[(namespace, key, value)].append(workload)

    def running_as(self, namespace: str, account: str) -> list[Workload]:
        """Workloads of the namespace whose pods run as `account`."""
        return self._by_account.get((namespace, account), [])

    def selected(self, namespace: str, selector: Mapping[str, str]) -> list[Workload]:
        """Workloads of the namespace whose pod labels a Service selector matches."""
        if not selector:
            return []
        candidates = min(
            (self._by_label.get((namespace, k, v), []) for k, v in selector.items()), key=len
        )
        return [w for w in candidates if map_selector_matches(selector, w.pod_labels)]


def _workload_ref(workload: Workload) -> str:
    return f"{workload.obj.kind}/{workload.obj.name}"


@dataclass(frozen=True, slots=True)
class _Builder:
    cluster: str
    source: str
    observed_at: datetime | None

    def resource(self, obj: K8sObject, data: dict[str, Any]) -> Resource:
        data["cluster"] = self.cluster
        if obj.namespace is None:
            scope = self.cluster
            resource_id = f"{self.cluster}/{obj.kind}/{obj.name}"
        else:
            scope = f"{self.cluster}/{obj.namespace}"
            resource_id = f"{scope}/{obj.kind}/{obj.name}"
        return Resource(
            kind=_KIND[obj.kind],
            id=resource_id,
            source=self.source,
            scope=scope,
            data=data,
            observed_at=self.observed_at,
            location=obj.location,
        )

    def namespaces(
        self,
        parsed: list[K8sObject],
        workloads: list[Workload],
        index: ClusterIndex,
        pii: PiiLabel,
    ) -> list[Resource]:
        """One k8s.namespace per Namespace object and per namespace only referenced by objects."""
        workload_counts = Counter(w.obj.namespace for w in workloads)
        referenced = {obj.namespace for obj in parsed if obj.namespace is not None}
        names = [o.name for o in parsed if o.kind == "Namespace"]
        names += sorted(referenced - set(names))
        resources = []
        for name in names:
            declared = index.namespaces.get(name)
            resources.append(
                Resource(
                    kind="k8s.namespace",
                    id=f"{self.cluster}/{name}",
                    source=self.source,
                    scope=f"{self.cluster}/{name}",
                    data=_namespace_data(
                        name, declared, index, workload_counts[name], self.cluster, pii
                    ),
                    observed_at=self.observed_at,
                    location=declared.location if declared else None,
                )
            )
        return resources


def _namespace_data(
    name: str,
    declared: K8sObject | None,
    index: ClusterIndex,
    workloads: int,
    cluster: str,
    pii: PiiLabel,
) -> dict[str, Any]:
    return {
        "name": name,
        "cluster": cluster,
        "declared": declared is not None,
        "pii": declared is not None and pii.matches(declared.labels),
        "labels": dict(declared.labels) if declared else {},
        "annotations": dict(declared.annotations) if declared else {},
        "default_deny": index.default_deny(name),
        "network_policy_count": len(index.policies.get(name, [])),
        "workload_count": workloads,
    }


_KIND = {
    **{kind: "k8s.workload" for kind in WORKLOAD_KINDS},
    "Service": "k8s.service",
    "ServiceAccount": "k8s.service_account",
    "ConfigMap": "k8s.configmap",
    "RoleBinding": "k8s.rbac_binding",
    "ClusterRoleBinding": "k8s.rbac_binding",
}
