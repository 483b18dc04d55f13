"""Workload normalisation: every workload kind, its pod template, and each container's
effective security settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from auditor.k8s.containers import parse_image

POD_SPEC = """
      containers:
        - name: app
          image: gcr.io/p/app:1.0
"""


@pytest.mark.parametrize(
    ("kind", "api_version", "wrapper", "replicas"),
    [
        ("Deployment", "apps/v1", "spec:\n  replicas: 3\n  template:\n    spec:{pod}", 3),
        ("StatefulSet", "apps/v1", "spec:\n  replicas: 2\n  template:\n    spec:{pod}", 2),
        ("ReplicaSet", "apps/v1", "spec:\n  template:\n    spec:{pod}", 1),
        ("DaemonSet", "apps/v1", "spec:\n  template:\n    spec:{pod}", None),
        ("Job", "batch/v1", "spec:\n  template:\n    spec:{pod}", None),
        (
            "CronJob",
            "batch/v1",
            "spec:\n  schedule: '0 * * * *'\n  jobTemplate:\n    spec:\n      template:\n"
            "        spec:{nested}",
            None,
        ),
        ("Pod", "v1", "spec:{bare}", None),
    ],
)
def test_every_workload_kind_reaches_its_pod_template(
    normalise: Callable[..., Any],
    kind: str,
    api_version: str,
    wrapper: str,
    replicas: int | None,
) -> None:
    """Each kind yields one k8s.workload with its containers; replicas only where they scale."""
    nested = POD_SPEC.replace("\n      ", "\n          ")
    bare = POD_SPEC.replace("\n      ", "\n  ")
    spec = wrapper.format(pod=POD_SPEC, nested=nested, bare=bare)
    text = (
        f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: w\n  namespace: etl\n{spec}"
    )
    result = normalise(text)
    [resource] = result.all("k8s.workload")
    assert resource.id == f"gke-1/etl/{kind}/w"
    assert resource.scope == "gke-1/etl"
    assert resource.data["workload_kind"] == kind
    assert resource.data["replicas"] == replicas
    assert [c["image"] for c in resource.data["containers"]] == ["gcr.io/p/app:1.0"]


def test_default_namespace_and_api_server_defaults(normalise: Callable[..., Any]) -> None:
    """No namespace means 'default'; unset replicas and strategy get the API server's defaults."""
    data = normalise(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n"
        "spec: {template: {spec: {containers: [{name: a, image: x}]}}}"
    ).workload("api")
    assert data["namespace"] == "default"
    assert data["replicas"] == 1
    assert data["strategy"] == {
        "type": "RollingUpdate",
        "max_surge": "25%",
        "max_unavailable": "25%",
        "partition": None,
    }
    assert data["pod"]["service_account"] == "default"


def test_strategy_per_kind(normalise: Callable[..., Any]) -> None:
    """Recreate has no rolling params; DaemonSet and StatefulSet use updateStrategy; Jobs none."""
    result = normalise(
        """
apiVersion: apps/v1
kind: Deployment
metadata: {name: recreate}
spec: {strategy: {type: Recreate}, template: {spec: {containers: []}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec: {template: {spec: {containers: []}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec: {updateStrategy: {rollingUpdate: {partition: 2}}, template: {spec: {containers: []}}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec: {template: {spec: {containers: []}}}
"""
    )
    assert result.workload("recreate")["strategy"]["type"] == "Recreate"
    assert result.workload("recreate")["strategy"]["max_surge"] is None
    assert result.workload("agent")["strategy"]["max_unavailable"] == 1
    assert result.workload("db")["strategy"]["partition"] == 2
    assert result.workload("once")["strategy"] is None


def test_container_types_init_sidecar_ephemeral(normalise: Callable[..., Any]) -> None:
    """Init containers with restartPolicy Always are sidecars; ephemeral ones are marked too."""
    data = normalise(
        """
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - {name: migrate, image: m:1}
    - {name: proxy, image: envoy:1, restartPolicy: Always, readinessProbe: {tcpSocket: {port: 1}}}
  containers:
    - {name: app, image: a:1}
  ephemeralContainers:
    - {name: debug, image: busybox}
"""
    ).workload("p")
    types = {c["name"]: c["type"] for c in data["containers"]}
    assert types == {
        "migrate": "init",
        "proxy": "sidecar",
        "app": "container",
        "debug": "ephemeral",
    }
    proxy = next(c for c in data["containers"] if c["name"] == "proxy")
    assert proxy["readiness_probe"] == {"tcpSocket": {"port": 1}}


def test_container_security_overrides_pod_security(normalise: Callable[..., Any]) -> None:
    """runAsNonRoot, runAsUser and seccomp come from the container, else from the pod."""
    data = normalise(
        """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: inherits
          image: a:1
        - name: overrides
          image: a:1
          securityContext:
            runAsUser: 0
            runAsNonRoot: false
            privileged: true
            allowPrivilegeEscalation: true
            readOnlyRootFilesystem: true
            seccompProfile: {type: Unconfined}
            capabilities: {add: [cap_net_admin, SYS_ADMIN], drop: [ALL]}
"""
    ).workload("api")
    inherits, overrides = data["containers"]
    assert (inherits["run_as_non_root"], inherits["run_as_user"]) == (True, 1000)
    assert inherits["seccomp_profile"] == "RuntimeDefault"
    assert inherits["privileged"] is False
    assert inherits["allow_privilege_escalation"] is None
    assert inherits["read_only_root_filesystem"] is False
    assert (overrides["run_as_non_root"], overrides["run_as_user"]) == (False, 0)
    assert overrides["seccomp_profile"] == "Unconfined"
    assert overrides["privileged"] is True
    assert overrides["allow_privilege_escalation"] is True
    assert overrides["read_only_root_filesystem"] is True
    assert overrides["capabilities_add"] == ["NET_ADMIN", "SYS_ADMIN"]
    assert overrides["capabilities_drop"] == ["ALL"]
    assert data["pod"]["security_context"]["runAsUser"] == 1000


def test_resources_env_mounts_ports_and_volumes(normalise: Callable[..., Any]) -> None:
    """Requests default to limits; env values, references, mounts and volumes are flattened."""
    data = normalise(
        """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cdc}
spec:
  template:
    spec:
      hostNetwork: true
      volumes:
        - {name: key, secret: {secretName: gcp-key, items: [{key: key.json, path: key.json}]}}
        - {name: logs, hostPath: {path: /var/log}}
        - {name: tmp, emptyDir: {}}
      containers:
        - name: connect
          image: debezium/connect@sha256:abc
          resources: {limits: {cpu: 1, memory: 1Gi}, requests: {memory: 512Mi}}
          env:
            - {name: GOOGLE_APPLICATION_CREDENTIALS, value: /var/secrets/key.json}
            - name: DB_PASSWORD
              valueFrom: {secretKeyRef: {name: db, key: password}}
            - name: NODE
              valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
          envFrom: [{configMapRef: {name: settings}, prefix: CFG_}]
          volumeMounts: [{name: key, mountPath: /var/secrets, readOnly: true}]
          ports: [{containerPort: 8083, name: http}]
"""
    ).workload("cdc")
    [connect] = data["containers"]
    assert connect["requests"] == {"cpu": "1", "memory": "512Mi"}
    assert connect["limits"] == {"cpu": "1", "memory": "1Gi"}
    assert connect["env"] == [
        {"name": "GOOGLE_APPLICATION_CREDENTIALS", "value": "/var/secrets/key.json", "from": None},
        {
            "name": "DB_PASSWORD",
            "value": None,
            "from": {"type": "secretKeyRef", "name": "db", "key": "password"},
        },
        {
            "name": "NODE",
            "value": None,
            "from": {"type": "fieldRef", "name": None, "key": "spec.nodeName"},
        },
    ]
    assert connect["env_from"] == [{"type": "configMapRef", "name": "settings", "prefix": "CFG_"}]
    assert connect["volume_mounts"] == [
        {"name": "key", "mount_path": "/var/secrets", "read_only": True, "sub_path": None}
    ]
    assert connect["ports"] == [
        {"name": "http", "container_port": 8083, "host_port": None, "protocol": "TCP"}
    ]
    assert connect["image_pinned"] is True
    assert data["pod"]["host_network"] is True
    assert data["pod"]["volumes"] == [
        {"name": "key", "type": "secret", "host_path": None, "secret_name": "gcp-key",
         "items": ["key.json"]},
        {"name": "logs", "type": "hostPath", "host_path": "/var/log", "secret_name": None,
         "items": []},
        {"name": "tmp", "type": "emptyDir", "host_path": None, "secret_name": None, "items": []},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("nginx", (None, None, False)),
        ("nginx:latest", ("latest", None, False)),
        ("nginx:1.25", ("1.25", None, True)),
        ("localhost:5000/team/app", (None, None, False)),
        ("localhost:5000/team/app:v2", ("v2", None, True)),
        ("gcr.io/p/app@sha256:0f", (None, "sha256:0f", True)),
        ("gcr.io/p/app:latest@sha256:0f", ("latest", "sha256:0f", True)),
        (None, (None, None, False)),
    ],
)
def test_image_references(image: str | None, expected: tuple[object, ...]) -> None:
    """Tags are read after the last '/', so a registry port is not a tag; digests pin."""
    assert parse_image(image) == expected


def test_affinity_spread_selector_tolerations(normalise: Callable[..., Any]) -> None:
    """Anti-affinity and topology spread are flags; node selector and tolerations are kept."""
    data = normalise(
        """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      nodeSelector: {pool: data}
      tolerations: [{key: dedicated, operator: Exists}]
      topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - {weight: 1, podAffinityTerm: {topologyKey: kubernetes.io/hostname}}
      containers: []
"""
    ).workload("api")
    assert data["pod"]["has_pod_anti_affinity"] is True
    assert data["pod"]["has_topology_spread"] is True
    assert data["pod"]["node_selector"] == {"pool": "data"}
    assert data["pod"]["tolerations"] == [{"key": "dedicated", "operator": "Exists"}]


def test_quoted_numbers_normalise_to_ints(normalise: Callable[..., Any]) -> None:
    """Quoted replicas, UIDs and ports become ints, as the API server would return them."""
    data = normalise(
        """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: "3"
  template:
    spec:
      securityContext: {runAsUser: "0"}
      containers: [{name: a, image: a:1, ports: [{containerPort: "8080"}]}]
"""
    ).workload("api")
    assert data["replicas"] == 3
    assert data["containers"][0]["run_as_user"] == 0
    assert data["containers"][0]["ports"][0]["container_port"] == 8080


def test_command_and_args_are_kept_as_strings(normalise: Callable[..., Any]) -> None:
    """command and args keep their order, numbers become strings, and unset lists are empty."""
    data = normalise(
        """
apiVersion: v1
kind: Pod
metadata: {name: migrate, namespace: etl}
spec:
  containers:
    - name: migrate
      image: flyway/flyway:10.15.0
      command: [flyway]
      args: [-connectRetries, 3, migrate]
    - {name: idle, image: "busybox:1.36.1"}
"""
    ).workload("migrate")
    migrate, idle = data["containers"]
    assert (migrate["command"], migrate["args"]) == (
        ["flyway"],
        ["-connectRetries", "3", "migrate"],
    )
    assert (idle["command"], idle["args"]) == ([], [])
