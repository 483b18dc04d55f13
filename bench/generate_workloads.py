"""Write a deterministic set of realistic Kubernetes workload manifests for benchmarks.

One file per application, as teams keep them: the workload (mostly Deployments, some
StatefulSets, DaemonSets and CronJobs) plus, for a share of apps, its Service,
PodDisruptionBudget, HorizontalPodAutoscaler, NetworkPolicy, ServiceAccount and ConfigMap.
Each namespace also gets a `_namespace.yaml` (the Namespace, and for most a default-deny
NetworkPolicy). Settings range from hardened to sloppy: privileged containers, root users,
missing probes and limits, hostPath mounts, secret-looking literal env vars, `latest` tags.

The same seed and count always produce byte-identical files.

    python bench/generate_workloads.py OUT_DIR [--count 5000] [--seed 20240601]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_COUNT = 5000
DEFAULT_SEED = 20240601
NAMESPACE_COUNT = 50
# A hidden marker (both scanners skip it) that lets a re-run clear the directory safely.
MARKER = ".bench-workloads"

_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

Manifest = dict[str, Any]

# Workload kind shares, and for each kind the chance of each companion object.
KIND_WEIGHTS = {"Deployment": 70, "StatefulSet": 12, "DaemonSet": 6, "CronJob": 12}
COMPANIONS: dict[str, dict[str, float]] = {
    "Deployment": {"service": 0.85, "pdb": 0.6, "hpa": 0.35, "netpol": 0.4, "sa": 0.5, "cm": 0.2},
    "StatefulSet": {"service": 1.0, "pdb": 0.7, "hpa": 0.0, "netpol": 0.4, "sa": 0.5, "cm": 0.3},
    "DaemonSet": {"service": 0.1, "pdb": 0.0, "hpa": 0.0, "netpol": 0.1, "sa": 0.6, "cm": 0.2},
    "CronJob": {"service": 0.0, "pdb": 0.0, "hpa": 0.0, "netpol": 0.2, "sa": 0.4, "cm": 0.3},
}
# How careful the team behind an app is; each bad setting's chance depends on it.
HYGIENE_WEIGHTS = {"hardened": 40, "typical": 45, "sloppy": 15}
BAD_SETTING_CHANCE: dict[str, dict[str, float]] = {
    "privileged": {"hardened": 0.0, "typical": 0.02, "sloppy": 0.3},
    "runs_as_root": {"hardened": 0.0, "typical": 0.25, "sloppy": 0.7},
    "no_probes": {"hardened": 0.02, "typical": 0.2, "sloppy": 0.6},
    "no_limits": {"hardened": 0.0, "typical": 0.3, "sloppy": 0.7},
    "host_path": {"hardened": 0.0, "typical": 0.03, "sloppy": 0.15},
    "secret_literal": {"hardened": 0.0, "typical": 0.1, "sloppy": 0.45},
    "latest_tag": {"hardened": 0.0, "typical": 0.08, "sloppy": 0.4},
    "single_replica": {"hardened": 0.05, "typical": 0.3, "sloppy": 0.6},
    "extra_capabilities": {"hardened": 0.0, "typical": 0.03, "sloppy": 0.2},
    "default_service_account": {"hardened": 0.0, "typical": 0.3, "sloppy": 0.8},
}

TEAMS = ("payments", "orders", "search", "identity", "ingest", "analytics", "ml", "platform")
NAMESPACE_SUFFIXES = ("prod", "staging", "dev", "batch", "stream", "shared", "edge", "canary")
APP_NOUNS = (
    "api", "worker", "gateway", "indexer", "scheduler", "consumer", "producer", "exporter",
    "ledger", "router", "cache", "sync", "notifier", "reporter", "enricher", "loader",
)  # fmt: skip
APP_DOMAINS = (
    "orders", "payments", "invoices", "users", "sessions", "catalog", "pricing", "inventory",
    "events", "clicks", "features", "models", "audit", "billing", "shipping", "refunds",
)  # fmt: skip
REGISTRY = "europe-west1-docker.pkg.dev/data-platform/apps"
PUBLIC_IMAGES = ("nginx", "redis", "busybox", "python", "envoyproxy/envoy", "bitnami/kafka")
DAEMON_AGENTS = ("log-shipper", "node-exporter", "gcsfuse-cache", "dns-cache", "cni-helper")
SECRET_ENV = ("DB_PASSWORD", "API_KEY", "STRIPE_SECRET_KEY", "KAFKA_SASL_PASSWORD", "AUTH_TOKEN")
PLAIN_ENV = {
    "LOG_LEVEL": ("info", "debug", "warn"),
    "REGION": ("europe-west1", "europe-west4"),
    "KAFKA_BOOTSTRAP": ("kafka-0.kafka:9092", "kafka-bootstrap.data:9092"),
    "FEATURE_FLAGS": ("new-ledger,fast-path", ""),
    "GOMAXPROCS": ("2", "4"),
}


@dataclass(slots=True)
class App:
    """What the generator decided about one application before writing it."""

    name: str
    namespace: str
    kind: str
    hygiene: str
    bad: set[str]
    companions: set[str]
    labels: dict[str, str] = field(default_factory=dict)


def namespaces(rng: random.Random) -> list[str]:
    """~50 team namespaces such as `payments-prod`."""
    names = [f"{team}-{suffix}" for team in TEAMS for suffix in NAMESPACE_SUFFIXES]
    rng.shuffle(names)
    return sorted(names[:NAMESPACE_COUNT])


def plan_app(rng: random.Random, index: int, namespace: str) -> App:
    """Draw one app's kind, hygiene, bad settings and companion objects."""
    kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
    hygiene = rng.choices(list(HYGIENE_WEIGHTS), weights=list(HYGIENE_WEIGHTS.values()))[0]
    bad = {name for name, chance in BAD_SETTING_CHANCE.items() if rng.random() < chance[hygiene]}
    if kind == "DaemonSet" and rng.random() < 0.6:
        bad.add("host_path")  # node agents read /var/log or the container runtime socket
    companions = {c for c, chance in COMPANIONS[kind].items() if rng.random() < chance}
    if "sa" not in companions:
        bad.add("default_service_account")
    if kind == "DaemonSet":
        base = rng.choice(DAEMON_AGENTS)
    else:
        base = f"{rng.choice(APP_DOMAINS)}-{rng.choice(APP_NOUNS)}"
    name = f"{base}-{index:05d}"
    labels = {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/part-of": namespace.split("-")[0],
        "app.kubernetes.io/managed-by": "argocd",
    }
    return App(name, namespace, kind, hygiene, bad, companions, labels)


def image(rng: random.Random, app: App) -> str:
    """A registry image with a version, a digest, `latest`, or no tag at all."""
    if "latest_tag" in app.bad:
        public = rng.choice(PUBLIC_IMAGES)
        return f"{public}:latest" if rng.random() < 0.5 else public
    version = f"{rng.randint(0, 4)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
    if app.hygiene == "hardened" and rng.random() < 0.5:
        digest = "".join(rng.choice("0123456789abcdef") for _ in range(64))
        return f"{REGISTRY}/{app.name.rsplit('-', 1)[0]}:{version}@sha256:{digest}"
    return f"{REGISTRY}/{app.name.rsplit('-', 1)[0]}:{version}"


def env_vars(rng: random.Random, app: App) -> list[Manifest]:
    """Plain settings, secrets from a Secret, and (for bad apps) secrets as literals."""
    env: list[Manifest] = [
        {"name": name, "value": rng.choice(PLAIN_ENV[name])}
        for name in rng.sample(sorted(PLAIN_ENV), rng.randint(1, 3))
    ]
    secret = rng.choice(SECRET_ENV)
    if "secret_literal" in app.bad:
        literal = "".join(
            rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789") for _ in range(24)
        )
        env.append({"name": secret, "value": literal})
    else:
        ref = {"name": f"{app.name}-secrets", "key": secret.lower()}
        env.append({"name": secret, "valueFrom": {"secretKeyRef": ref}})
    return env


def container(rng: random.Random, app: App) -> Manifest:
    """The app's main container with its security context, resources and probes."""
    spec: Manifest = {
        "name": "app",
        "image": image(rng, app),
        "imagePullPolicy": "IfNotPresent",
        "env": env_vars(rng, app),
    }
    if app.kind != "CronJob":
        spec["ports"] = [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    security: Manifest = {}
    if "privileged" in app.bad:
        security["privileged"] = True
    if "runs_as_root" in app.bad:
        if rng.random() < 0.5:
            security["runAsUser"] = 0
    else:
        security.update(runAsNonRoot=True, runAsUser=10001, runAsGroup=10001)
    if app.hygiene == "hardened":
        security.update(
            allowPrivilegeEscalation=False,
            readOnlyRootFilesystem=True,
            capabilities={"drop": ["ALL"]},
            seccompProfile={"type": "RuntimeDefault"},
        )
    if "extra_capabilities" in app.bad:
        security["capabilities"] = {"add": rng.sample(["NET_ADMIN", "SYS_ADMIN", "NET_RAW"], 1)}
    if security:
        spec["securityContext"] = security
    cpu = rng.choice(("100m", "250m", "500m", "1"))
    memory = rng.choice(("128Mi", "256Mi", "512Mi", "1Gi", "2Gi"))
    if "no_limits" in app.bad:
        if rng.random() < 0.5:
            spec["resources"] = {"requests": {"cpu": cpu, "memory": memory}}
    else:
        spec["resources"] = {
            "requests": {"cpu": cpu, "memory": memory},
            "limits": {"cpu": cpu, "memory": memory},
        }
    if app.kind != "CronJob" and "no_probes" not in app.bad:
        spec["readinessProbe"] = {
            "httpGet": {"path": "/readyz", "port": "http"},
            "periodSeconds": 10,
        }
        spec["livenessProbe"] = {
            "httpGet": {"path": "/healthz", "port": "http"},
            "initialDelaySeconds": 15,
            "periodSeconds": 20,
        }
    mounts: list[Manifest] = [{"name": "tmp", "mountPath": "/tmp"}]
    if "host_path" in app.bad:
        mounts.append({"name": "host", "mountPath": "/host/var/log", "readOnly": True})
    if "cm" in app.companions:
        mounts.append({"name": "config", "mountPath": "/etc/app", "readOnly": True})
    spec["volumeMounts"] = mounts
    return spec


def sidecar(rng: random.Random) -> Manifest:
    """A Cloud SQL proxy or metrics sidecar, as many data apps carry."""
    if rng.random() < 0.5:
        return {
            "name": "cloud-sql-proxy",
            "image": "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0",
            "args": ["--structured-logs", "--port=3306", "data-platform:europe-west1:orders"],
            "securityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": False},
            "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
        }
    return {
        "name": "statsd-exporter",
        "image": "prom/statsd-exporter:v0.26.1",
        "ports": [{"name": "metrics", "containerPort": 9102}],
        "resources": {
            "requests": {"cpu": "20m", "memory": "32Mi"},
            "limits": {"cpu": "100m", "memory": "64Mi"},
        },
    }


def pod_template(rng: random.Random, app: App) -> Manifest:
    """The pod template: labels, service account, containers, volumes, spreading."""
    containers = [container(rng, app)]
    if app.kind != "DaemonSet" and rng.random() < 0.25:
        containers.append(sidecar(rng))
    volumes: list[Manifest] = [{"name": "tmp", "emptyDir": {}}]
    if "host_path" in app.bad:
        volumes.append({"name": "host", "hostPath": {"path": "/var/log", "type": "Directory"}})
    if "cm" in app.companions:
        volumes.append({"name": "config", "configMap": {"name": f"{app.name}-config"}})
    spec: Manifest = {"containers": containers, "volumes": volumes}
    if "sa" in app.companions:
        spec["serviceAccountName"] = app.name
    if app.hygiene == "hardened":
        spec["automountServiceAccountToken"] = False
        spec["securityContext"] = {"fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}}
    if app.kind == "DaemonSet":
        spec["tolerations"] = [{"operator": "Exists"}]
        if "privileged" in app.bad or rng.random() < 0.2:
            spec["hostNetwork"] = True
    elif app.kind in ("Deployment", "StatefulSet") and app.hygiene != "sloppy":
        spec["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": {"app.kubernetes.io/name": app.name}},
            }
        ]
    if app.kind == "CronJob":
        spec["restartPolicy"] = "OnFailure"
    return {"metadata": {"labels": dict(app.labels)}, "spec": spec}


def metadata(app: App, name: str | None = None) -> Manifest:
    """Object metadata shared by an app's objects."""
    return {"name": name or app.name, "namespace": app.namespace, "labels": dict(app.labels)}


def workload(rng: random.Random, app: App) -> Manifest:
    """The Deployment, StatefulSet, DaemonSet or CronJob itself."""
    template = pod_template(rng, app)
    selector = {"matchLabels": {"app.kubernetes.io/name": app.name}}
    if app.kind == "CronJob":
        return {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": metadata(app),
            "spec": {
                "schedule": f"{rng.randint(0, 59)} {rng.choice(('*', '*/6', '2'))} * * *",
                "concurrencyPolicy": "Forbid",
                "jobTemplate": {"spec": {"backoffLimit": 2, "template": template}},
            },
        }
    spec: Manifest = {"selector": selector, "template": template}
    if app.kind in ("Deployment", "StatefulSet"):
        spec["replicas"] = 1 if "single_replica" in app.bad else rng.choice((2, 3, 3, 4, 6))
    if app.kind == "StatefulSet":
        spec["serviceName"] = app.name
        spec["volumeClaimTemplates"] = [
            {
                "metadata": {"name": "data"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": rng.choice(("10Gi", "50Gi"))}},
                },
            }
        ]
    return {"apiVersion": "apps/v1", "kind": app.kind, "metadata": metadata(app), "spec": spec}


def companions(rng: random.Random, app: App) -> list[Manifest]:
    """The app's Service, PDB, HPA, NetworkPolicy, ServiceAccount and ConfigMap, as drawn."""
    selector = {"app.kubernetes.io/name": app.name}
    objects: list[Manifest] = []
    if "sa" in app.companions:
        google_account = f"{app.name[:20]}@data-platform.iam.gserviceaccount.com"
        annotations = {"iam.gke.io/gcp-service-account": google_account}
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": {**metadata(app), "annotations": annotations},
                "automountServiceAccountToken": app.hygiene != "sloppy",
            }
        )
    if "cm" in app.companions:
        data = {"app.yaml": f"region: europe-west1\nworkers: {rng.randint(1, 16)}\n"}
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": metadata(app, f"{app.name}-config"),
                "data": data,
            }
        )
    if "service" in app.companions:
        service_spec: Manifest = {
            "selector": selector,
            "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
        }
        if app.kind == "StatefulSet":
            service_spec["clusterIP"] = "None"
        elif rng.random() < 0.05:
            service_spec["type"] = "LoadBalancer"
        objects.append(
            {"apiVersion": "v1", "kind": "Service", "metadata": metadata(app), "spec": service_spec}
        )
    if "pdb" in app.companions:
        budget = rng.choice(({"minAvailable": 1}, {"maxUnavailable": 1}, {"maxUnavailable": 0}))
        objects.append(
            {
                "apiVersion": "policy/v1",
                "kind": "PodDisruptionBudget",
                "metadata": metadata(app),
                "spec": {**budget, "selector": {"matchLabels": selector}},
            }
        )
    if "hpa" in app.companions:
        objects.append(
            {
                "apiVersion": "autoscaling/v2",
                "kind": "HorizontalPodAutoscaler",
                "metadata": metadata(app),
                "spec": {
                    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": app.kind, "name": app.name},
                    "minReplicas": rng.choice((1, 2, 3)),
                    "maxReplicas": rng.choice((6, 10, 20)),
                    "metrics": [
                        {
                            "type": "Resource",
                            "resource": {
                                "name": "cpu",
                                "target": {"type": "Utilization", "averageUtilization": 70},
                            },
                        }
                    ],
                },
            }
        )
    if "netpol" in app.companions:
        objects.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": metadata(app, f"{app.name}-ingress"),
                "spec": {
                    "podSelector": {"matchLabels": selector},
                    "policyTypes": ["Ingress"],
                    "ingress": [
                        {
                            "from": [
                                {
                                    "namespaceSelector": {
                                        "matchLabels": {"kubernetes.io/metadata.name": "ingress"}
                                    }
                                }
                            ],
                            "ports": [{"port": 8080, "protocol": "TCP"}],
                        }
                    ],
                },
            }
        )
    return objects


def namespace_objects(rng: random.Random, namespace: str) -> list[Manifest]:
    """The Namespace and, for most, a default-deny NetworkPolicy."""
    objects: list[Manifest] = [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": namespace, "labels": {"team": namespace.split("-")[0]}},
        }
    ]
    if rng.random() < 0.7:
        objects.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": "default-deny", "namespace": namespace},
                "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
            }
        )
    return objects


def write_documents(path: Path, documents: list[Manifest]) -> None:
    """Write `documents` as one multi-document YAML file."""
    text = yaml.dump_all(documents, Dumper=_Dumper, sort_keys=False, explicit_start=True, width=120)
    path.write_text(text, encoding="utf-8")


def prepare(out_dir: Path) -> None:
    """Create `out_dir`, or empty it when an earlier run of this generator made it.

    A non-empty directory without the marker is refused rather than cleared.
    """
    if out_dir.exists() and any(out_dir.iterdir()):
        if not (out_dir / MARKER).is_file():
            raise SystemExit(f"{out_dir} is not empty and was not made by this generator")
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).write_text("generated by bench/generate_workloads.py\n", encoding="utf-8")


def generate(out_dir: Path, count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED) -> Counter[str]:
    """Write `count` app files (one workload each) plus one file per namespace.

    Returns how many objects of each kind were written.
    """
    rng = random.Random(seed)
    prepare(out_dir)
    names = namespaces(rng)
    kinds: Counter[str] = Counter()
    for namespace in names:
        (out_dir / namespace).mkdir()
        documents = namespace_objects(rng, namespace)
        write_documents(out_dir / namespace / "_namespace.yaml", documents)
        kinds.update(d["kind"] for d in documents)
    for index in range(count):
        app = plan_app(rng, index, rng.choice(names))
        documents = [workload(rng, app), *companions(rng, app)]
        write_documents(out_dir / app.namespace / f"{app.name}.yaml", documents)
        kinds.update(d["kind"] for d in documents)
    return kinds


def main(argv: list[str] | None = None) -> int:
    """Command line: generate into OUT_DIR and print what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="directory to write (emptied if ours)")
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="workloads (files)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    kinds = generate(args.out_dir, args.count, args.seed)
    summary = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
    print(f"wrote {args.count} app files to {args.out_dir}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
