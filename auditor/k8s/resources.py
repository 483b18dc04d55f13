"""The one-object kinds: Service, ServiceAccount and ConfigMap as rule data.

Their cross-object fields (which workloads a Service selects, which use a ServiceAccount) are
filled in by enrichment; here they start empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.k8s.objects import K8sObject, integer, mapping, sequence, string_map

GKE_WORKLOAD_IDENTITY_ANNOTATION = "iam.gke.io/gcp-service-account"
_INTERNAL_LB_ANNOTATIONS = (
    "networking.gke.io/load-balancer-type",
    "cloud.google.com/load-balancer-type",
)
_SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges"


def service_data(obj: K8sObject) -> dict[str, Any]:
    """The `k8s.service` data of one Service."""
    spec = obj.spec
    kind = str(spec.get("type") or "ClusterIP")
    ranges = [str(r) for r in sequence(spec.get("loadBalancerSourceRanges"))]
    if not ranges and obj.annotations.get(_SOURCE_RANGES_ANNOTATION):
        # The annotation is the older way to say the same thing; the field wins when both exist.
        raw = obj.annotations[_SOURCE_RANGES_ANNOTATION]
        ranges = [r.strip() for r in raw.split(",") if r.strip()]
    policy = spec.get("externalTrafficPolicy")
    if policy is None and kind in ("NodePort", "LoadBalancer"):
        policy = "Cluster"
    selector = spec.get("selector")
    return {
        "name": obj.name,
        "namespace": obj.namespace,
        "type": kind,
        "labels": obj.labels,
        "annotations": obj.annotations,
        "ports": [_service_port(mapping(p)) for p in sequence(spec.get("ports"))],
        "selector": string_map(selector) if isinstance(selector, Mapping) else {},
        "load_balancer_source_ranges": ranges,
        "internal": any(
            obj.annotations.get(a, "").lower() == "internal" for a in _INTERNAL_LB_ANNOTATIONS
        ),
        "external_traffic_policy": None if policy is None else str(policy),
        "workloads": [],
    }


def _service_port(port: Mapping[str, Any]) -> dict[str, Any]:
    name = port.get("name")
    target = port.get("targetPort")
    return {
        "name": None if name is None else str(name),
        "port": integer(port.get("port")),
        # targetPort is int-or-string (a named container port); it defaults to `port`.
        "target_port": target if target is not None else integer(port.get("port")),
        "protocol": str(port.get("protocol") or "TCP"),
        "node_port": integer(port.get("nodePort")),
    }


def service_account_data(obj: K8sObject) -> dict[str, Any]:
    """The `k8s.service_account` data of one ServiceAccount."""
    automount = obj.body.get("automountServiceAccountToken")
    return {
        "name": obj.name,
        "namespace": obj.namespace,
        "labels": obj.labels,
        "annotations": obj.annotations,
        "automount_token": automount if isinstance(automount, bool) else None,
        "gcp_service_account": obj.annotations.get(GKE_WORKLOAD_IDENTITY_ANNOTATION),
        "secrets": _names(obj.body.get("secrets")),
        "image_pull_secrets": _names(obj.body.get("imagePullSecrets")),
        "workloads": [],
    }


def _names(value: Any) -> list[str]:
    return [str(mapping(v).get("name")) for v in sequence(value) if mapping(v).get("name")]


def configmap_data(obj: K8sObject) -> dict[str, Any]:
    """The `k8s.configmap` data of one ConfigMap; values kept, as rules look for secrets there."""
    data = mapping(obj.body.get("data"))
    return {
        "name": obj.name,
        "namespace": obj.namespace,
        "labels": obj.labels,
        "annotations": obj.annotations,
        "data": {str(k): "" if v is None else str(v) for k, v in data.items()},
        "binary_data_keys": sorted(str(k) for k in mapping(obj.body.get("binaryData"))),
        "immutable": obj.body.get("immutable") is True,
    }
