"""A workload object (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, bare Pod)
turned into `k8s.workload` data, before cross-object enrichment.

Defaults the API server would apply (replicas 1, RollingUpdate with 25%/25%) are applied here,
so a manifest and the same object read back from a cluster normalise alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditor.k8s.containers import container_data
from auditor.k8s.exemptions import parse_exemptions
from auditor.k8s.objects import K8sObject, integer, mapping, sequence, string_map

_SCALABLE_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet"})
_VOLUME_TYPES = (
    "hostPath",
    "secret",
    "configMap",
    "emptyDir",
    "persistentVolumeClaim",
    "projected",
    "downwardAPI",
    "csi",
    "ephemeral",
    "nfs",
)


@dataclass(slots=True)
class Workload:
    """A workload's rule data plus what enrichment needs to match it against other objects."""

    obj: K8sObject
    data: dict[str, Any]
    pod_labels: dict[str, str]
    pod_automount: bool | None
    warnings: list[str]


def pod_template(obj: K8sObject) -> Mapping[str, Any]:
    """The pod template (metadata + spec) of a workload; a bare Pod is its own template."""
    if obj.kind == "Pod":
        return obj.body
    if obj.kind == "CronJob":
        job = mapping(mapping(obj.spec.get("jobTemplate")).get("spec"))
        return mapping(job.get("template"))
    return mapping(obj.spec.get("template"))


def build_workload(obj: K8sObject) -> Workload:
    """The un-enriched `k8s.workload` data of one workload object."""
    template = pod_template(obj)
    pod_meta = mapping(template.get("metadata"))
    pod_spec = mapping(template.get("spec"))
    pod_labels = string_map(pod_meta.get("labels"))
    pod_annotations = string_map(pod_meta.get("annotations"))
    parsed = parse_exemptions(obj.annotations, pod_annotations)
    pod_security = mapping(pod_spec.get("securityContext"))
    containers = [
        container_data(mapping(c), kind, pod_security, parsed.exemptions)
        for kind, c in _containers(pod_spec)
    ]
    automount = pod_spec.get("automountServiceAccountToken")
    pod_automount = automount if isinstance(automount, bool) else None
    service_account = pod_spec.get("serviceAccountName") or pod_spec.get("serviceAccount")
    data: dict[str, Any] = {
        "name": obj.name,
        "namespace": obj.namespace,
        "workload_kind": obj.kind,
        "api_version": obj.api_version,
        "labels": obj.labels,
        "annotations": obj.annotations,
        "replicas": _replicas(obj),
        "strategy": _strategy(obj),
        "pod": {
            "labels": pod_labels,
            "annotations": pod_annotations,
            "service_account": str(service_account) if service_account else "default",
            "automount_token": pod_automount,
            "gcp_service_account": None,
            "host_network": pod_spec.get("hostNetwork") is True,
            "host_pid": pod_spec.get("hostPID") is True,
            "host_ipc": pod_spec.get("hostIPC") is True,
            "security_context": dict(pod_security),
            "volumes": [_volume(mapping(v)) for v in sequence(pod_spec.get("volumes"))],
            "has_pod_anti_affinity": _has_anti_affinity(pod_spec),
            "has_topology_spread": bool(sequence(pod_spec.get("topologySpreadConstraints"))),
            "node_selector": string_map(pod_spec.get("nodeSelector")),
            "tolerations": [dict(mapping(t)) for t in sequence(pod_spec.get("tolerations"))],
        },
        "containers": containers,
        "exemptions": parsed.exemptions,
    }
    return Workload(obj, data, pod_labels, pod_automount, parsed.warnings)


def _containers(pod_spec: Mapping[str, Any]) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for spec in sequence(pod_spec.get("initContainers")):
        # Native sidecars (Kubernetes 1.29+) are init containers that keep running.
        always = mapping(spec).get("restartPolicy") == "Always"
        found.append(("sidecar" if always else "init", spec))
    found.extend(("container", spec) for spec in sequence(pod_spec.get("containers")))
    found.extend(("ephemeral", spec) for spec in sequence(pod_spec.get("ephemeralContainers")))
    return found


def _replicas(obj: K8sObject) -> int | None:
    if obj.kind not in _SCALABLE_KINDS:
        return None
    replicas = obj.spec.get("replicas")
    return 1 if replicas is None else integer(replicas)


def _strategy(obj: K8sObject) -> dict[str, Any] | None:
    if obj.kind == "Deployment":
        given = mapping(obj.spec.get("strategy"))
        kind = str(given.get("type") or "RollingUpdate")
        rolling = mapping(given.get("rollingUpdate"))
        if kind != "RollingUpdate":
            return _strategy_data(kind, None, None, None)
        return _strategy_data(
            kind, rolling.get("maxSurge", "25%"), rolling.get("maxUnavailable", "25%"), None
        )
    if obj.kind in ("StatefulSet", "DaemonSet"):
        given = mapping(obj.spec.get("updateStrategy"))
        kind = str(given.get("type") or "RollingUpdate")
        rolling = mapping(given.get("rollingUpdate"))
        if kind != "RollingUpdate":
            return _strategy_data(kind, None, None, None)
        if obj.kind == "DaemonSet":
            return _strategy_data(
                kind, rolling.get("maxSurge", 0), rolling.get("maxUnavailable", 1), None
            )
        return _strategy_data(
            kind, None, rolling.get("maxUnavailable"), rolling.get("partition", 0)
        )
    return None


def _strategy_data(kind: str, surge: Any, unavailable: Any, partition: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "max_surge": surge,
        "max_unavailable": unavailable,
        "partition": partition,
    }


def _volume(volume: Mapping[str, Any]) -> dict[str, Any]:
    kind = next((t for t in _VOLUME_TYPES if t in volume), None)
    if kind is None:
        kind = next((str(k) for k in volume if k != "name"), "unknown")
    source = mapping(volume.get(kind))
    host_path = source.get("path") if kind == "hostPath" else None
    secret_name = source.get("secretName") if kind == "secret" else None
    items = [str(mapping(i).get("key")) for i in sequence(source.get("items"))]
    if kind == "projected":
        for projection in sequence(source.get("sources")):
            secret = mapping(mapping(projection).get("secret"))
            if secret and secret_name is None:
                secret_name = secret.get("name")
            items.extend(str(mapping(i).get("key")) for i in sequence(secret.get("items")))
    return {
        "name": str(volume.get("name") or ""),
        "type": kind,
        "host_path": None if host_path is None else str(host_path),
        "secret_name": None if secret_name is None else str(secret_name),
        "items": items,
    }


def _has_anti_affinity(pod_spec: Mapping[str, Any]) -> bool:
    anti = mapping(mapping(pod_spec.get("affinity")).get("podAntiAffinity"))
    return bool(
        sequence(anti.get("requiredDuringSchedulingIgnoredDuringExecution"))
        or sequence(anti.get("preferredDuringSchedulingIgnoredDuringExecution"))
    )
