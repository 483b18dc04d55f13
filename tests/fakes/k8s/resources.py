"""The API resources the fake API server serves, as a real server's discovery describes them.

Kept apart from the collector's own table on purpose: a kind the collector asks for under the
wrong group or version gets the 404 a real server would give.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ServedResource:
    """One resource type: where it lives in the API and what its objects are called."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool

    @property
    def api_version(self) -> str:
        """'apps/v1', or 'v1' for the core group."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def key(self) -> str:
        """'apps/v1/deployments' (kmock's resource notation)."""
        return f"{self.api_version}/{self.plural}"


SERVED = (
    ServedResource("", "v1", "namespaces", "Namespace", namespaced=False),
    ServedResource("", "v1", "pods", "Pod", namespaced=True),
    ServedResource("", "v1", "services", "Service", namespaced=True),
    ServedResource("", "v1", "serviceaccounts", "ServiceAccount", namespaced=True),
    ServedResource("", "v1", "configmaps", "ConfigMap", namespaced=True),
    ServedResource("", "v1", "secrets", "Secret", namespaced=True),
    ServedResource("apps", "v1", "deployments", "Deployment", namespaced=True),
    ServedResource("apps", "v1", "statefulsets", "StatefulSet", namespaced=True),
    ServedResource("apps", "v1", "daemonsets", "DaemonSet", namespaced=True),
    ServedResource("apps", "v1", "replicasets", "ReplicaSet", namespaced=True),
    ServedResource("batch", "v1", "jobs", "Job", namespaced=True),
    ServedResource("batch", "v1", "cronjobs", "CronJob", namespaced=True),
    ServedResource("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", True),
    ServedResource("networking.k8s.io", "v1", "ingresses", "Ingress", namespaced=True),
    ServedResource("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", True),
    ServedResource(
        "autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", True
    ),
    ServedResource("rbac.authorization.k8s.io", "v1", "roles", "Role", namespaced=True),
    ServedResource("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", True),
    ServedResource("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", False),
    ServedResource(
        "rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", False
    ),
)

# Where an object of a given group and kind is stored: one served version per kind.
_BY_KIND = {(r.group, r.kind): r for r in SERVED}


def resource_of(api_version: str, kind: str) -> ServedResource:
    """The served resource storing objects of `kind` (any version of its group)."""
    group = api_version.rpartition("/")[0]
    try:
        return _BY_KIND[(group, kind)]
    except KeyError:
        raise ValueError(f"the fake API server does not serve {api_version} {kind}") from None
