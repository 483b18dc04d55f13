"""List items as the API server sends them, made into the objects their manifests describe.

The normaliser is shared with the manifest loader; what it is given decides whether a workload
read from the cluster and the same workload read from its manifest agree. So each item gets
back the kind and apiVersion list responses leave out, and loses only what the server writes
itself and no manifest says:

- `status` and `metadata.managedFields` (never read; the bulk of a Pod's bytes);
- bookkeeping annotations: kubectl's `last-applied-configuration` (a copy of the whole
  manifest), `deployment.kubernetes.io/revision`, `deprecated.daemonset.template.generation`;
- the `kubernetes.io/metadata.name` label every Namespace gets (always equal to its name).

(The defaults the server writes into specs — replicas, update strategies, probe timings — are
the normaliser's business: it applies or drops them for manifests and live objects alike.)

What the cluster decides and a manifest cannot know stays: allocated node ports, HPA-driven
replica counts, what admission adds to bare Pods, the Job API's selector labels.
Objects owned by a controller (a ReplicaSet's Pods) are dropped here, as the normaliser
would, so a large cluster's Pods are not held until normalisation only to be dropped.
"""

from __future__ import annotations

from typing import Any

from auditor.collectors.gke.kinds import ListedKind
from auditor.k8s.objects import is_controlled

SERVER_ANNOTATIONS = frozenset(
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        "deployment.kubernetes.io/revision",
        "deprecated.daemonset.template.generation",
    }
)
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


def manifest_view(item: dict[str, Any], kind: ListedKind) -> dict[str, Any] | None:
    """The object `item` of a `kind` list as its manifest would say it; None when a
    controller owns it. Modifies `item` in place (it is not used again) and returns it."""
    metadata = item.get("metadata")
    if not isinstance(metadata, dict):
        metadata = item["metadata"] = {}
    if is_controlled(metadata):
        return None
    item["kind"] = kind.kind
    item["apiVersion"] = kind.api_version
    item.pop("status", None)
    metadata.pop("managedFields", None)
    annotations = metadata.get("annotations")
    if isinstance(annotations, dict):
        for key in SERVER_ANNOTATIONS.intersection(annotations):
            del annotations[key]
    if kind.kind == "Namespace":
        _drop_name_label(metadata)
    return item


def _drop_name_label(metadata: dict[str, Any]) -> None:
    labels = metadata.get("labels")
    if isinstance(labels, dict) and labels.get(NAMESPACE_NAME_LABEL) == metadata.get("name"):
        del labels[NAMESPACE_NAME_LABEL]
