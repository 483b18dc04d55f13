"""A manifest turned into the object a real API server would store and return for it.

`as_served` adds what every API server adds without changing what the object says — metadata
(uid, resourceVersion, generation, creationTimestamp, managedFields, kubectl's
last-applied-configuration), a status, controller bookkeeping annotations, the
`kubernetes.io/metadata.name` label on Namespaces, and the defaulting of fields left unset
(replicas, update strategies, probe timings, Service type/protocol/targetPort/clusterIP, pod
and container defaults). A manifest and this object describe the same workload. What the
cluster decides on top (node ports, admission) is admission.py.

Not modelled: quantity canonicalisation (`cpu: 0.5` is served as `500m`; fixtures use
canonical quantities) and field conversions between API versions other than HPA v1 → v2.
"""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import Any

from tests.fakes.k8s.resources import resource_of

CREATED = "2026-11-20T09:30:00Z"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_PROBE_DEFAULTS = {
    "timeoutSeconds": 1,
    "periodSeconds": 10,
    "successThreshold": 1,
    "failureThreshold": 3,
}
_SCALED = ("Deployment", "StatefulSet", "ReplicaSet")


def as_served(manifest: Mapping[str, Any], revision: int = 1) -> dict[str, Any]:
    """The object as an API server returns it for a `kubectl apply` of `manifest`."""
    body: dict[str, Any] = copy.deepcopy(dict(manifest))
    kind = str(body["kind"])
    resource = resource_of(str(body["apiVersion"]), kind)
    body["apiVersion"] = resource.api_version
    meta = body.setdefault("metadata", {})
    if resource.namespaced:
        meta.setdefault("namespace", "default")
    _metadata(meta, manifest, resource.api_version, revision)
    if kind == "HorizontalPodAutoscaler":
        _hpa_v2(body)
    _DEFAULTS.get(kind, _nothing)(body)
    body["status"] = _STATUS.get(kind, lambda _: {})(body)
    return body


def _nothing(_: dict[str, Any]) -> None:
    return None


def _uid(meta: Mapping[str, Any], kind: str) -> str:
    seed = f"{kind}/{meta.get('namespace')}/{meta.get('name')}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, seed))


def _metadata(
    meta: dict[str, Any], manifest: Mapping[str, Any], api_version: str, revision: int
) -> None:
    meta["uid"] = _uid(meta, str(manifest.get("kind")))
    meta["resourceVersion"] = str(revision)
    meta["creationTimestamp"] = CREATED
    if "spec" in manifest or manifest.get("kind") in _SCALED:
        meta["generation"] = 1
    annotations = meta.setdefault("annotations", {})
    annotations[LAST_APPLIED] = json.dumps(manifest, separators=(",", ":"), sort_keys=True) + "\n"
    meta["managedFields"] = [
        {
            "manager": "kubectl-client-side-apply",
            "operation": "Update",
            "apiVersion": api_version,
            "time": CREATED,
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:metadata": {"f:annotations": {".": {}, f"f:{LAST_APPLIED}": {}}}},
        }
    ]


def _hpa_v2(body: dict[str, Any]) -> None:
    spec = body.setdefault("spec", {})
    body["apiVersion"] = "autoscaling/v2"
    target = spec.pop("targetCPUUtilizationPercentage", None)
    if target is not None:
        spec["metrics"] = [
            {
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": target},
                },
            }
        ]
    spec.setdefault("minReplicas", 1)


def _namespace(body: dict[str, Any]) -> None:
    meta = body["metadata"]
    meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
    body["spec"] = {"finalizers": ["kubernetes"]}


def _deployment(body: dict[str, Any]) -> None:
    spec = body.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxSurge", "25%")
        rolling.setdefault("maxUnavailable", "25%")
    body["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "1"
    _pod_template(spec.setdefault("template", {}))


def _stateful_set(body: dict[str, Any]) -> None:
    spec = body.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    spec.setdefault("revisionHistoryLimit", 10)
    strategy = spec.setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        strategy.setdefault("rollingUpdate", {}).setdefault("partition", 0)
    spec.setdefault(
        "persistentVolumeClaimRetentionPolicy", {"whenDeleted": "Retain", "whenScaled": "Retain"}
    )
    _pod_template(spec.setdefault("template", {}))


def _daemon_set(body: dict[str, Any]) -> None:
    spec = body.setdefault("spec", {})
    spec.setdefault("revisionHistoryLimit", 10)
    strategy = spec.setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", 1)
        rolling.setdefault("maxSurge", 0)
    body["metadata"]["annotations"]["deprecated.daemonset.template.generation"] = "1"
    _pod_template(spec.setdefault("template", {}))


def _replica_set(body: dict[str, Any]) -> None:
    spec = body.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    _pod_template(spec.setdefault("template", {}))


def _job_spec(spec: dict[str, Any]) -> None:
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    _pod_template(spec.setdefault("template", {}), restart_policy=None)


def _job(body: dict[str, Any]) -> None:
    spec = body.setdefault("spec", {})
    spec.setdefault("completions", 1)
    spec.setdefault("parallelism", 1)
    _job_spec(spec)


def _cron_job(body: dict[str, Any]) -> None:
    spec = body.setdefault("spec", {})
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    job = spec.setdefault("jobTemplate", {})
    job.setdefault("metadata", {})
    _job_spec(job.setdefault("spec", {}))


def _pod(body: dict[str, Any]) -> None:
    _pod_spec(body.setdefault("spec", {}), restart_policy="Always")


def _pod_template(template: dict[str, Any], restart_policy: str | None = "Always") -> None:
    template.setdefault("metadata", {}).setdefault("creationTimestamp", None)
    _pod_spec(template.setdefault("spec", {}), restart_policy)


def _pod_spec(spec: dict[str, Any], restart_policy: str | None) -> None:
    if restart_policy is not None:
        spec.setdefault("restartPolicy", restart_policy)
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    if "serviceAccountName" in spec:
        spec["serviceAccount"] = spec["serviceAccountName"]
    for volume in spec.get("volumes") or []:
        for key in ("secret", "configMap"):
            if key in volume:
                volume[key].setdefault("defaultMode", 420)
        if "hostPath" in volume:
            volume["hostPath"].setdefault("type", "")
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for container in spec.get(key) or []:
            _container(container)


def _container(container: dict[str, Any]) -> None:
    image = str(container.get("image", ""))
    tag = image.rsplit("/", 1)[-1].rpartition(":")[2] if ":" in image.rsplit("/", 1)[-1] else ""
    pinned = "@" in image or (tag not in ("", "latest"))
    container.setdefault("imagePullPolicy", "IfNotPresent" if pinned else "Always")
    container.setdefault("terminationMessagePath", "/dev/termination-log")
    container.setdefault("terminationMessagePolicy", "File")
    container.setdefault("resources", {})
    for port in container.get("ports") or []:
        port.setdefault("protocol", "TCP")
    for env in container.get("env") or []:
        field_ref = (env.get("valueFrom") or {}).get("fieldRef")
        if field_ref is not None:
            field_ref.setdefault("apiVersion", "v1")
    for name in ("readinessProbe", "livenessProbe", "startupProbe"):
        probe = container.get(name)
        if isinstance(probe, dict):
            _probe(probe)


def _probe(probe: dict[str, Any]) -> None:
    for key, value in _PROBE_DEFAULTS.items():
        probe.setdefault(key, value)
    http = probe.get("httpGet")
    if isinstance(http, dict):
        http.setdefault("path", "/")
        http.setdefault("scheme", "HTTP")
    grpc = probe.get("grpc")
    if isinstance(grpc, dict):
        grpc.setdefault("service", "")


def _service(body: dict[str, Any]) -> None:
    spec = body.setdefault("spec", {})
    kind = spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    hashed = digest(body["metadata"]["name"])
    if spec.get("clusterIP") != "None":
        spec["clusterIP"] = f"10.96.{hashed[0]}.{hashed[1] or 1}"
    spec["clusterIPs"] = [spec["clusterIP"]] if "clusterIP" in spec else []
    spec.setdefault("ipFamilies", ["IPv4"])
    spec.setdefault("ipFamilyPolicy", "SingleStack")
    spec.setdefault("internalTrafficPolicy", "Cluster")
    if kind in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if kind == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    for port in spec.get("ports") or []:
        port.setdefault("protocol", "TCP")
        port.setdefault("targetPort", port.get("port"))


def digest(name: str) -> bytes:
    """A stable hash of a name, for made-up addresses and ports."""
    return hashlib.sha256(name.encode()).digest()


def _network_policy(body: dict[str, Any]) -> None:
    spec = body.setdefault("spec", {})
    spec.setdefault("podSelector", {})
    if not spec.get("policyTypes"):
        spec["policyTypes"] = ["Ingress"] + (["Egress"] if spec.get("egress") else [])


_DEFAULTS = {
    "Namespace": _namespace,
    "Deployment": _deployment,
    "StatefulSet": _stateful_set,
    "DaemonSet": _daemon_set,
    "ReplicaSet": _replica_set,
    "Job": _job,
    "CronJob": _cron_job,
    "Pod": _pod,
    "Service": _service,
    "NetworkPolicy": _network_policy,
}


def _replicas_status(body: Mapping[str, Any]) -> dict[str, Any]:
    replicas = body["spec"].get("replicas", 1)
    return {
        "observedGeneration": 1,
        "replicas": replicas,
        "readyReplicas": replicas,
        "availableReplicas": replicas,
        "updatedReplicas": replicas,
    }


_STATUS = {
    "Namespace": lambda _: {"phase": "Active"},
    "Deployment": lambda b: {
        **_replicas_status(b),
        "conditions": [
            {
                "type": "Available",
                "status": "True",
                "reason": "MinimumReplicasAvailable",
                "lastTransitionTime": CREATED,
                "lastUpdateTime": CREATED,
                "message": "Deployment has minimum availability.",
            }
        ],
    },
    "StatefulSet": _replicas_status,
    "ReplicaSet": _replicas_status,
    "DaemonSet": lambda _: {
        "currentNumberScheduled": 3,
        "desiredNumberScheduled": 3,
        "numberAvailable": 3,
        "numberMisscheduled": 0,
        "numberReady": 3,
        "observedGeneration": 1,
        "updatedNumberScheduled": 3,
    },
    "Pod": lambda _: {"phase": "Running", "podIP": "10.8.0.12", "qosClass": "Burstable"},
    "Job": lambda _: {"succeeded": 1, "startTime": CREATED, "completionTime": CREATED},
    "CronJob": lambda _: {"lastScheduleTime": CREATED},
    "HorizontalPodAutoscaler": lambda b: {
        "currentReplicas": b["spec"]["minReplicas"],
        "desiredReplicas": b["spec"]["minReplicas"],
    },
    "PodDisruptionBudget": lambda _: {
        "currentHealthy": 2,
        "desiredHealthy": 2,
        "disruptionsAllowed": 0,
        "expectedPods": 2,
        "observedGeneration": 1,
    },
    "Service": lambda b: (
        {"loadBalancer": {"ingress": [{"ip": "34.90.1.10", "ipMode": "VIP"}]}}
        if b["spec"]["type"] == "LoadBalancer"
        else {"loadBalancer": {}}
    ),
}
