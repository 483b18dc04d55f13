"""Object intake: Lists, skipped kinds, duplicates, owned objects, and the simple kinds'
data (Service, ServiceAccount, ConfigMap)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditor.k8s import RawObject, normalize
from auditor.model import Location


def test_list_items_are_expanded(normalise: Callable[..., Any]) -> None:
    """`kind: List` yields each item as an object of its own."""
    result = normalise(
        """
apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: ServiceAccount, metadata: {name: a, namespace: etl}}
  - {apiVersion: v1, kind: ServiceAccount, metadata: {name: b, namespace: etl}}
"""
    )
    assert [r.id for r in result.all("k8s.service_account")] == [
        "gke-1/etl/ServiceAccount/a",
        "gke-1/etl/ServiceAccount/b",
    ]


def test_unknown_kinds_and_non_objects_warn_with_location() -> None:
    """Objects we do not read are skipped with a 'file:line: skipped:' warning, not an error."""
    objects = [
        RawObject({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"}}, Location("a.yaml", 3)),
        RawObject({"replicaCount": 2}, Location("values.yaml", 1)),
        RawObject({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}, Location("b.yaml", 7)),
    ]  # fmt: skip
    result = normalize(objects, cluster="c", source="s")
    assert result.resources == []
    assert result.warnings == [
        "a.yaml:3: skipped: Ingress web (networking.k8s.io/v1): kind Ingress is not read",
        "values.yaml:1: skipped: not a Kubernetes object (no apiVersion/kind)",
        "b.yaml:7: skipped: ConfigMap without metadata.name",
    ]


def test_duplicates_are_skipped_and_owned_objects_dropped() -> None:
    """A second object with the same identity warns; controller-owned pods are not workloads."""
    account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "a"}}
    owned_pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "api-7d9-x",
            "ownerReferences": [{"kind": "ReplicaSet", "name": "api-7d9", "controller": True}],
        },
        "spec": {"containers": []},
    }
    result = normalize(
        [
            RawObject(account, Location("one.yaml", 1)),
            RawObject(account, Location("two.yaml", 4)),
            RawObject(owned_pod),
        ],
        cluster="c",
        source="s",
    )
    assert [r.kind for r in result.resources] == ["k8s.service_account", "k8s.namespace"]
    assert result.warnings == [
        "two.yaml:4: skipped: duplicate ServiceAccount default/a (first at one.yaml:1)"
    ]


def test_service_data(normalise: Callable[..., Any]) -> None:
    """Services keep type, ports, selector, source ranges (field or annotation) and GKE internal LB."""
    result = normalise(
        """
apiVersion: v1
kind: Service
metadata: {name: public, namespace: ingest}
spec:
  type: LoadBalancer
  selector: {app: api}
  ports: [{name: https, port: 443, targetPort: 8443}]
---
apiVersion: v1
kind: Service
metadata:
  name: internal
  namespace: ingest
  annotations:
    networking.gke.io/load-balancer-type: Internal
    service.beta.kubernetes.io/load-balancer-source-ranges: "10.0.0.0/8, 192.168.0.0/16"
spec: {type: LoadBalancer, externalTrafficPolicy: Local, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: plain, namespace: ingest}
spec: {ports: [{port: 80}]}
"""
    )
    public = result.one("k8s.service", "public")
    assert public["type"] == "LoadBalancer"
    assert public["internal"] is False
    assert public["load_balancer_source_ranges"] == []
    assert public["external_traffic_policy"] == "Cluster"
    assert public["ports"] == [
        {"name": "https", "port": 443, "target_port": 8443, "protocol": "TCP", "node_port": None}
    ]
    internal = result.one("k8s.service", "internal")
    assert internal["internal"] is True
    assert internal["load_balancer_source_ranges"] == ["10.0.0.0/8", "192.168.0.0/16"]
    assert internal["external_traffic_policy"] == "Local"
    plain = result.one("k8s.service", "plain")
    assert (plain["type"], plain["external_traffic_policy"], plain["selector"]) == (
        "ClusterIP",
        None,
        {},
    )


def test_service_account_and_configmap_data(normalise: Callable[..., Any]) -> None:
    """ServiceAccounts keep automount (null when unset) and Workload Identity; ConfigMaps keep values."""
    result = normalise(
        """
apiVersion: v1
kind: ServiceAccount
metadata:
  name: etl
  namespace: etl
  annotations: {iam.gke.io/gcp-service-account: etl@proj.iam.gserviceaccount.com}
secrets: [{name: etl-token}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ci, namespace: ci}
automountServiceAccountToken: true
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: etl}
data: {batch_size: 500, DB_PASSWORD: hunter2}
binaryData: {cert.der: AAEC}
"""
    )
    etl = result.one("k8s.service_account", "etl")
    assert etl["automount_token"] is None
    assert etl["gcp_service_account"] == "etl@proj.iam.gserviceaccount.com"
    assert etl["secrets"] == ["etl-token"]
    assert result.one("k8s.service_account", "ci")["automount_token"] is True
    settings = result.one("k8s.configmap", "settings")
    assert settings["data"] == {"batch_size": "500", "DB_PASSWORD": "hunter2"}
    assert settings["binary_data_keys"] == ["cert.der"]


def test_every_resource_names_its_cluster(normalise: Callable[..., Any]) -> None:
    """Each resource's data carries the cluster it belongs to."""
    result = normalise("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    assert {r.data["cluster"] for r in result.result.resources} == {"gke-1"}


def test_default_namespace_option(normalise: Callable[..., Any]) -> None:
    """A Helm release namespace replaces 'default' for objects without one."""
    result = normalise(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", default_namespace="etl"
    )
    assert result.all("k8s.configmap")[0].id == "gke-1/etl/ConfigMap/x"


def test_typed_lists_from_the_api_are_expanded(normalise: Callable[..., Any]) -> None:
    """A `DeploymentList` as the API server returns it (items without kind) expands too."""
    result = normalise(
        """
apiVersion: apps/v1
kind: DeploymentList
metadata: {resourceVersion: "42"}
items:
  - metadata: {name: api, namespace: ingest}
    spec: {template: {spec: {containers: []}}}
    status: {replicas: 1}
"""
    )
    assert [r.id for r in result.all("k8s.workload")] == ["gke-1/ingest/Deployment/api"]
    assert result.warnings == []
