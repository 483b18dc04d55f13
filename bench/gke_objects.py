"""A cluster's Deployments and Pods as an API server returns them, for bench/gke_collect.py.

Seeded, so every run serves the same bytes. Each Deployment runs `pods / deployments` Pods
owned by its ReplicaSet (ownerReferences with controller: true), with the status, managedFields
and admission-added fields a real server returns — a real Pod is 4–6 KB of JSON, most of it
the parts a collector drops.

    .venv/bin/python bench/gke_objects.py OUT.jsonl [--pods N] [--deployments N] [--bare-pods]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fakes.k8s.admission import admitted  # noqa: E402

NAMESPACES = 50
CREATED = "2026-11-20T09:30:00Z"
TEAMS = ("ingest", "etl", "cdc", "serving", "platform")
REGISTRY = "europe-docker.pkg.dev/acme-data/images"


def _uid(seed: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, seed))


def _hash(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:10]


def _container(rng: random.Random, app: str) -> dict[str, Any]:
    return {
        "name": "app",
        "image": f"{REGISTRY}/{app}:{rng.randint(1, 9)}.{rng.randint(0, 30)}.0",
        "ports": [{"name": "http", "containerPort": 8080}],
        "env": [
            {"name": "LOG_LEVEL", "value": "info"},
            {"name": "KAFKA_BOOTSTRAP", "value": "kafka-bootstrap.kafka:9092"},
            {
                "name": "DB_PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": f"{app}-db", "key": "password"}},
            },
        ],
        "resources": {
            "requests": {"cpu": f"{rng.choice((100, 250, 500))}m", "memory": "256Mi"},
            "limits": {"memory": "512Mi"},
        },
        "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 5},
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }


def _deployment(rng: random.Random, index: int) -> dict[str, Any]:
    namespace = f"{TEAMS[index % len(TEAMS)]}-{index % NAMESPACES:02d}"
    app = f"app-{index:05d}"
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": app,
            "namespace": namespace,
            "labels": {"app": app, "team": namespace},
        },
        "spec": {
            "replicas": rng.choice((1, 2, 3, 4, 6)),
            "selector": {"matchLabels": {"app": app}},
            "template": {
                "metadata": {"labels": {"app": app, "team": namespace}},
                "spec": {
                    "serviceAccountName": app,
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 10001},
                    "containers": [_container(rng, app)],
                    "volumes": [{"name": "tmp", "emptyDir": {}}],
                },
            },
        },
    }


def _pod(deployment: dict[str, Any], ordinal: int, owned: bool) -> dict[str, Any]:
    meta = deployment["metadata"]
    template = json.loads(json.dumps(deployment["spec"]["template"]))
    replica_set = f"{meta['name']}-{_hash(meta['name'])}"
    name = f"{replica_set}-{_hash(f'{replica_set}/{ordinal}')[:5]}"
    labels = {**template["metadata"]["labels"], "pod-template-hash": _hash(meta["name"])}
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "generateName": f"{replica_set}-",
            "namespace": meta["namespace"],
            "labels": labels,
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": replica_set,
                    "uid": _uid(replica_set),
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": template["spec"],
    }
    if not owned:
        del pod["metadata"]["ownerReferences"]
    served = admitted(pod)
    # A ReplicaSet's Pods were never applied by kubectl; their fields are managed by the
    # controller manager (spec) and the kubelet (status).
    del served["metadata"]["annotations"]
    served["metadata"]["managedFields"] = [
        _managed("kube-controller-manager", None, _fields(served["spec"])),
        _managed("kubelet", "status", {"f:status": _fields(_pod_status(served))}),
    ]
    served["status"] = _pod_status(served)
    return served


def _fields(value: Any) -> dict[str, Any]:
    """A FieldsV1 set for `value`'s keys (two levels deep, as real entries list them)."""
    if not isinstance(value, dict):
        return {}
    return {
        f"f:{key}": _fields(item) if isinstance(item, dict) else {} for key, item in value.items()
    }


def _managed(manager: str, subresource: str | None, fields: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "manager": manager,
        "operation": "Update",
        "apiVersion": "v1",
        "time": CREATED,
        "fieldsType": "FieldsV1",
        "fieldsV1": fields,
    }
    if subresource:
        entry["subresource"] = subresource
    return entry


def _pod_status(pod: dict[str, Any]) -> dict[str, Any]:
    conditions = [
        {"type": kind, "status": "True", "lastProbeTime": None, "lastTransitionTime": CREATED}
        for kind in (
            "PodReadyToStartContainers",
            "Initialized",
            "Ready",
            "ContainersReady",
            "PodScheduled",
        )
    ]
    digest = _hash(pod["metadata"]["name"])
    return {
        "phase": "Running",
        "conditions": conditions,
        "hostIP": "10.132.0.17",
        "hostIPs": [{"ip": "10.132.0.17"}],
        "podIP": "10.8.3.41",
        "podIPs": [{"ip": "10.8.3.41"}],
        "startTime": CREATED,
        "qosClass": "Burstable",
        "containerStatuses": [
            {
                "name": "app",
                "state": {"running": {"startedAt": CREATED}},
                "lastState": {},
                "ready": True,
                "restartCount": 0,
                "image": pod["spec"]["containers"][0]["image"],
                "imageID": f"{REGISTRY}/app@sha256:{digest * 6}{digest[:4]}",
                "containerID": f"containerd://{digest * 6}{digest[:4]}",
                "started": True,
                "volumeMounts": [
                    {"name": "tmp", "mountPath": "/tmp"},
                    {
                        "name": "kube-api-access-7xk2p",
                        "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                        "readOnly": True,
                        "recursiveReadOnly": "Disabled",
                    },
                ],
            }
        ],
    }


def generate(
    pods: int, deployments: int, *, owned: bool = True, seed: int = 7
) -> Iterator[dict[str, Any]]:
    """Namespaces, `deployments` Deployments and `pods` Pods spread evenly over them; with
    `owned` False the Pods have no owner, so each is a workload of its own (a worst case)."""
    rng = random.Random(seed)
    namespaces = sorted(
        {f"{TEAMS[i % len(TEAMS)]}-{i % NAMESPACES:02d}" for i in range(deployments)}
    )
    for name in namespaces:
        yield admitted({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    for index in range(deployments):
        deployment = _deployment(rng, index)
        yield admitted(deployment)
        share = pods // deployments + (1 if index < pods % deployments else 0)
        for ordinal in range(share):
            yield _pod(deployment, ordinal, owned)


def main() -> None:
    """Write the objects, one JSON document per line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--pods", type=int, default=20000)
    parser.add_argument("--deployments", type=int, default=5000)
    parser.add_argument("--bare-pods", action="store_true", help="Pods without an owner")
    args = parser.parse_args()
    with args.out.open("w", encoding="utf-8") as out:
        for body in generate(args.pods, args.deployments, owned=not args.bare_pods):
            out.write(json.dumps(body, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
