"""List items as an API server returns them become the objects their manifests describe, so the
shared normaliser makes the same resources from either."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from auditor.collectors.gke.kinds import LISTED_KINDS
from auditor.collectors.gke.served import manifest_view
from auditor.k8s import RawObject, normalize
from auditor.loaders.manifests import load_manifests, manifest_files
from auditor.loaders.yaml_lines import read_documents
from tests.fakes.k8s.served import as_served

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "auditor" / "demo" / "estate" / "k8s"
RECORDED = Path(__file__).resolve().parent / "recorded"
KINDS = {kind.kind: kind for kind in LISTED_KINDS}


def _page(name: str) -> dict[str, Any]:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def test_a_served_deployment_loses_only_what_the_server_wrote() -> None:
    """kind and apiVersion come back; status, managedFields, the revision and kubectl's copy of
    the manifest go; the user's own annotations and the spec stay."""
    [item] = _page("deployments-page.json")["items"]
    spec = copy.deepcopy(item["spec"])

    view = manifest_view(item, KINDS["Deployment"])

    assert view is not None
    assert (view["kind"], view["apiVersion"]) == ("Deployment", "apps/v1")
    assert "status" not in view
    assert "managedFields" not in view["metadata"]
    assert view["metadata"]["annotations"] == {"auditor.io/owner": "etl"}
    assert view["metadata"]["labels"] == {"app": "loader", "team": "data-platform"}
    assert view["spec"] == spec


def test_an_owned_pod_is_dropped() -> None:
    """A Pod with a controller owner is dropped, as the normaliser would drop it."""
    pod = {
        "metadata": {
            "name": "loader-5d8c-x1k2",
            "namespace": "etl",
            "ownerReferences": [{"kind": "ReplicaSet", "name": "loader-5d8c", "controller": True}],
        },
        "spec": {"containers": [{"name": "loader", "image": "loader:5.2.0"}]},
    }
    assert manifest_view(pod, KINDS["Pod"]) is None


def test_the_namespace_name_label_goes_and_other_labels_stay() -> None:
    """kubernetes.io/metadata.name equal to the name is dropped; other labels are kept."""
    namespace = {
        "metadata": {
            "name": "etl",
            "labels": {"kubernetes.io/metadata.name": "etl", "data-classification": "pii"},
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }
    view = manifest_view(namespace, KINDS["Namespace"])
    assert view is not None
    assert view["metadata"]["labels"] == {"data-classification": "pii"}


def _demo_objects() -> list[dict[str, Any]]:
    objects = []
    for path in manifest_files([DEMO]):
        for document in read_documents(path.read_text(encoding="utf-8"), str(path)):
            objects.append(document.value)
    return objects


def test_the_demo_estate_served_and_as_manifests_normalises_alike() -> None:
    """Every demo object, as a server would list it (defaults, metadata, status, no kind), gives
    the resource its manifest gives: same ids, scopes and data."""
    served = []
    for manifest in _demo_objects():
        item = as_served(manifest)
        kind = KINDS[item.pop("kind")]
        item.pop("apiVersion")
        view = manifest_view(item, kind)
        assert view is not None
        served.append(RawObject(view))

    live = normalize(served, cluster="gke-data-prod", source="data-prod").resources
    static = load_manifests([DEMO], cluster="gke-data-prod").resources

    assert [(r.kind, r.id, r.scope) for r in live] == [(r.kind, r.id, r.scope) for r in static]
    for live_resource, static_resource in zip(live, static, strict=True):
        assert live_resource.data == static_resource.data, live_resource.id
