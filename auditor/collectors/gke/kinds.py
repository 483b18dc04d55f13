"""The one table of what the collector reads from an API server, and how it asks for each.

Exactly the kinds the normaliser reads (auditor.k8s.objects.SUPPORTED_KINDS), each at the
version current clusters serve. deploy/rbac/auditor-gke-reader.yaml grants get/list on exactly
these; a test keeps the two equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ListedKind:
    """One kind: its API group, version and resource name, and the client methods that list it.

    `api` is the kubernetes client class (CoreV1Api, AppsV1Api …); its list methods are named
    after the kind: list_namespaced_X / list_X_for_all_namespaces, or list_X when cluster-scoped.
    """

    kind: str
    group: str
    version: str
    plural: str
    namespaced: bool
    api: str

    @property
    def api_version(self) -> str:
        """'apps/v1', or 'v1' for the core group: what list items are missing and get back."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def resource(self) -> str:
        """'deployments' or 'rolebindings.rbac.authorization.k8s.io', as RBAC and kubectl say."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def list_method(self, namespaced_call: bool) -> str:
        """The client method listing this kind in one namespace, or everywhere."""
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", self.kind).lower()
        if not self.namespaced:
            return f"list_{snake}"
        return f"list_namespaced_{snake}" if namespaced_call else f"list_{snake}_for_all_namespaces"


_RBAC = "rbac.authorization.k8s.io"

LISTED_KINDS: tuple[ListedKind, ...] = (
    ListedKind("Namespace", "", "v1", "namespaces", False, "CoreV1Api"),
    ListedKind("Deployment", "apps", "v1", "deployments", True, "AppsV1Api"),
    ListedKind("StatefulSet", "apps", "v1", "statefulsets", True, "AppsV1Api"),
    ListedKind("DaemonSet", "apps", "v1", "daemonsets", True, "AppsV1Api"),
    ListedKind("ReplicaSet", "apps", "v1", "replicasets", True, "AppsV1Api"),
    ListedKind("Job", "batch", "v1", "jobs", True, "BatchV1Api"),
    ListedKind("CronJob", "batch", "v1", "cronjobs", True, "BatchV1Api"),
    ListedKind("Pod", "", "v1", "pods", True, "CoreV1Api"),
    ListedKind("Service", "", "v1", "services", True, "CoreV1Api"),
    ListedKind("ServiceAccount", "", "v1", "serviceaccounts", True, "CoreV1Api"),
    ListedKind("ConfigMap", "", "v1", "configmaps", True, "CoreV1Api"),
    ListedKind(
        "NetworkPolicy", "networking.k8s.io", "v1", "networkpolicies", True, "NetworkingV1Api"
    ),
    ListedKind("PodDisruptionBudget", "policy", "v1", "poddisruptionbudgets", True, "PolicyV1Api"),
    ListedKind(
        "HorizontalPodAutoscaler",
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        True,
        "AutoscalingV2Api",
    ),
    ListedKind("Role", _RBAC, "v1", "roles", True, "RbacAuthorizationV1Api"),
    ListedKind("ClusterRole", _RBAC, "v1", "clusterroles", False, "RbacAuthorizationV1Api"),
    ListedKind("RoleBinding", _RBAC, "v1", "rolebindings", True, "RbacAuthorizationV1Api"),
    ListedKind(
        "ClusterRoleBinding", _RBAC, "v1", "clusterrolebindings", False, "RbacAuthorizationV1Api"
    ),
)
