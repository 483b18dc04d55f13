"""`type: gke`: workloads, network policies, disruption budgets and RBAC of a Kubernetes cluster.

Reads what the manifest loader reads, from a live API server with the official `kubernetes`
client, and normalises it with the same normaliser (auditor.k8s), so a workload scanned from its
manifest before a release and from the cluster after it gets the same resources and findings.
Settings, the ClusterRole it needs and the k8s.cluster kind: docs/sources/gke.md; the other
kinds: docs/resource-kinds/k8s.md.
"""

from __future__ import annotations

from auditor.collectors.gke.collector import GkeCollector
from auditor.collectors.gke.settings import GkeSettings

settings_model = GkeSettings


def create_collector(settings: GkeSettings) -> GkeCollector:
    """The collector for `settings`."""
    return GkeCollector(settings)


__all__ = ["GkeCollector", "GkeSettings", "create_collector", "settings_model"]
