"""Lists are read page by page (limit/continue) and an expired continue token restarts the list,
through the real client against the fake API server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.fakes.k8s.apiserver import ApiServerEmulator
from tests.fakes.k8s.served import as_served
from tests.integration.gke.conftest import CLUSTER, by_id, collect, gke_settings


def _deployment(namespace: str, name: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": f"registry/{name}:1.0"}]},
            },
        },
    }


def _pod(namespace: str, name: str, owner: str | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    if owner:
        metadata["ownerReferences"] = [
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": owner,
                "uid": "u1",
                "controller": True,
            }
        ]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {"containers": [{"name": "app", "image": "registry/app:1.0"}]},
    }


def _list_calls(apiserver: ApiServerEmulator, path: str) -> list[dict[str, str]]:
    return [dict(c.query) for c in apiserver.calls if c.path == path]


def test_every_page_is_read_and_each_object_arrives_once(
    apiserver: ApiServerEmulator, kubeconfig: Path
) -> None:
    """With page_size 3, seven Deployments take three calls (limit=3, then each continue token)
    and all seven become workloads; Pods a controller owns are read but dropped."""
    names = [f"app-{i}" for i in range(7)]
    for index, name in enumerate(names):
        apiserver.put(as_served(_deployment(f"team-{index % 2}", name)))
        apiserver.put(as_served(_pod(f"team-{index % 2}", f"{name}-x1", owner=f"{name}-rs")))
    apiserver.put(as_served(_pod("team-0", "debug")))

    result = collect(gke_settings(kubeconfig, page_size=3))

    assert result.health.up, result.health.error
    calls = _list_calls(apiserver, "/apis/apps/v1/deployments")
    assert [c.get("limit") for c in calls] == ["3", "3", "3"]
    assert "continue" not in calls[0]
    assert all(c.get("continue") for c in calls[1:])
    workloads = by_id(result, "k8s.workload")
    expected = {f"{CLUSTER}/team-{i % 2}/Deployment/{n}" for i, n in enumerate(names)}
    assert set(workloads) == expected | {f"{CLUSTER}/team-0/Pod/debug"}
    assert len(_list_calls(apiserver, "/api/v1/pods")) == 3  # eight Pods, seven of them owned
    assert result.problems == []


def test_expired_continue_restarts_the_list_without_duplicates(
    apiserver: ApiServerEmulator, kubeconfig: Path
) -> None:
    """A 410 on the second page restarts the Deployments list from the start: a Deployment
    created meanwhile arrives, and none arrives twice."""
    for index in range(5):
        apiserver.put(as_served(_deployment("etl", f"loader-{index}")))
    apiserver.expire_continue(
        "deployments", then=lambda: apiserver.put(as_served(_deployment("etl", "loader-new")))
    )

    result = collect(gke_settings(kubeconfig, page_size=2))

    assert result.health.up, result.health.error
    calls = _list_calls(apiserver, "/apis/apps/v1/deployments")
    fresh = [c for c in calls if "continue" not in c]
    assert len(fresh) == 2  # the first list and its restart
    workloads = [r.id for r in result.resources if r.kind == "k8s.workload"]
    assert sorted(workloads) == sorted(
        f"{CLUSTER}/etl/Deployment/{n}" for n in ["loader-new", *(f"loader-{i}" for i in range(5))]
    )
    assert result.problems == []


def test_a_continue_token_that_keeps_expiring_fails_the_source(
    apiserver: ApiServerEmulator, kubeconfig: Path
) -> None:
    """When every continued page is 410 the list cannot finish: the source is down (protocol)
    after a few restarts rather than reporting a partial cluster."""
    for index in range(4):
        apiserver.put(as_served(_deployment("etl", f"loader-{index}")))
    apiserver.expire_continue("deployments", times=None)

    result = collect(gke_settings(kubeconfig, page_size=2))

    assert not result.health.up
    assert result.error_kind == "protocol"
    assert "deployments.apps" in result.health.error
    assert "expired" in result.health.error
