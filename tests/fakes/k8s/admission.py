"""What a real cluster adds to an object beyond `as_served`: its own decisions.

Node ports for NodePort/LoadBalancer Services, the ServiceAccount admission plugin's token
volume and the default tolerations on bare Pods, and the selector labels the Job API adds to a
Job's pod template. These are facts of the running object that no manifest says, so a live
collector rightly reports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.fakes.k8s.served import as_served, digest


def admitted(manifest: Mapping[str, Any], revision: int = 1) -> dict[str, Any]:
    """`as_served`, plus what admission and allocation add on a real cluster."""
    body = as_served(manifest, revision)
    kind = body["kind"]
    if kind == "Service":
        _allocate_node_ports(body)
    elif kind == "Pod":
        _admit_pod(body)
    elif kind == "Job":
        _job_selector_labels(body)
    return body


def _allocate_node_ports(body: dict[str, Any]) -> None:
    spec = body["spec"]
    if spec["type"] not in ("NodePort", "LoadBalancer"):
        return
    first = 30000 + int.from_bytes(digest(body["metadata"]["name"])[:2]) % 2000
    for index, port in enumerate(spec.get("ports") or []):
        port.setdefault("nodePort", first + index)


def _admit_pod(body: dict[str, Any]) -> None:
    spec = body["spec"]
    spec.setdefault("serviceAccountName", "default")
    spec["serviceAccount"] = spec["serviceAccountName"]
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    spec.setdefault("nodeName", "gke-data-prod-default-pool-5d8c1e0a-x1k2")
    spec.setdefault("tolerations", [])
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        spec["tolerations"].append(
            {"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
        )
    if spec.get("automountServiceAccountToken") is False:
        return
    volume = "kube-api-access-7xk2p"
    spec.setdefault("volumes", []).append(
        {
            "name": volume,
            "projected": {
                "defaultMode": 420,
                "sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {
                        "configMap": {
                            "name": "kube-root-ca.crt",
                            "items": [{"key": "ca.crt", "path": "ca.crt"}],
                        }
                    },
                    {
                        "downwardAPI": {
                            "items": [
                                {
                                    "path": "namespace",
                                    "fieldRef": {
                                        "apiVersion": "v1",
                                        "fieldPath": "metadata.namespace",
                                    },
                                }
                            ]
                        }
                    },
                ],
            },
        }
    )
    for container in spec.get("containers") or []:
        container.setdefault("volumeMounts", []).append(
            {
                "name": volume,
                "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                "readOnly": True,
            }
        )


def _job_selector_labels(body: dict[str, Any]) -> None:
    uid = body["metadata"]["uid"]
    name = body["metadata"]["name"]
    labels = {
        "batch.kubernetes.io/controller-uid": uid,
        "batch.kubernetes.io/job-name": name,
        "controller-uid": uid,
        "job-name": name,
    }
    spec = body["spec"]
    spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    spec["manualSelector"] = False
    spec["template"]["metadata"].setdefault("labels", {}).update(labels)
