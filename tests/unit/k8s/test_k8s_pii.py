"""PII awareness: which k8s resources hold personal data, by their namespace's label or their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditor.model import PiiLabel

ESTATE = """
apiVersion: v1
kind: Namespace
metadata: {name: etl, labels: {data-classification: pii}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ingest, labels: {data-classification: internal}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: loader, namespace: etl}
spec: {template: {spec: {containers: [{name: l, image: "l:1"}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: ingest}
spec: {template: {spec: {containers: [{name: a, image: "a:1"}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: profile-cache, namespace: ingest}
spec:
  template:
    metadata: {labels: {app: profile-cache, data-classification: pii}}
    spec: {containers: [{name: c, image: "c:1"}]}
---
apiVersion: v1
kind: Service
metadata: {name: loader, namespace: etl}
spec: {selector: {app: loader}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: customers-export, namespace: ingest, labels: {data-classification: pii}}
data: {FORMAT: parquet}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: api, namespace: ingest}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: loader-view, namespace: etl}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: loader, namespace: etl}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: auditors-view}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, name: auditors@acme.example}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: relay, namespace: cdc}
spec: {template: {spec: {containers: [{name: r, image: "r:1"}]}}}
"""


def test_pii_follows_the_namespace_label_or_the_objects_own(
    normalise: Callable[..., Any],
) -> None:
    """A PII namespace makes its objects PII; an object labelled itself is PII anywhere;
    a ClusterRoleBinding and an undeclared namespace are not PII by default."""
    result = normalise(ESTATE)
    pii = {(r.kind, r.data["name"]): r.data["pii"] for r in result.result.resources}
    assert pii == {
        ("k8s.namespace", "etl"): True,
        ("k8s.namespace", "ingest"): False,
        ("k8s.namespace", "cdc"): False,
        ("k8s.workload", "loader"): True,
        ("k8s.workload", "api"): False,
        ("k8s.workload", "profile-cache"): True,
        ("k8s.workload", "relay"): False,
        ("k8s.service", "loader"): True,
        ("k8s.configmap", "customers-export"): True,
        ("k8s.service_account", "api"): False,
        ("k8s.rbac_binding", "loader-view"): True,
        ("k8s.rbac_binding", "auditors-view"): False,
    }


def test_the_configured_label_decides(normalise: Callable[..., Any]) -> None:
    """With another label configured, the default `data-classification: pii` means nothing."""
    result = normalise(ESTATE, pii=PiiLabel(key="data-classification", values=("internal",)))
    assert result.one("k8s.namespace", "etl")["pii"] is False
    assert result.one("k8s.namespace", "ingest")["pii"] is True
    assert result.workload("api")["pii"] is True
