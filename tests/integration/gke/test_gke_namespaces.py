"""Namespace include/exclude: exact names are read one namespace at a time (so namespaced
RoleBindings suffice), globs and excludes filter cluster-wide lists."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.k8s.apiserver import ApiServerEmulator
from tests.integration.gke.conftest import (
    CLUSTER,
    DEMO,
    MANIFESTS,
    by_id,
    collect,
    gke_settings,
    manifests,
    serve,
)


def _namespaces_of(ids: dict[str, object]) -> set[str]:
    return {i.split("/")[1] for i in ids if i.count("/") >= 3}


def test_named_namespaces_are_listed_one_by_one(
    apiserver: ApiServerEmulator, kubeconfig: Path
) -> None:
    """include [etl, cdc]: namespaced kinds are listed only under /namespaces/etl and
    /namespaces/cdc, Namespaces are fetched by name, and only their objects arrive (plus the
    cluster-scoped bindings)."""
    serve(apiserver, manifests(DEMO, MANIFESTS))

    result = collect(gke_settings(kubeconfig, namespaces={"include": ["etl", "cdc"]}))

    assert result.health.up, result.health.error
    namespaced_lists = {
        c.path
        for c in apiserver.calls
        if c.path.endswith(("/pods", "/deployments", "/rolebindings", "/configmaps"))
    }
    assert namespaced_lists == {
        f"{prefix}/namespaces/{ns}/{plural}"
        for ns in ("etl", "cdc")
        for prefix, plural in (
            ("/api/v1", "pods"),
            ("/apis/apps/v1", "deployments"),
            ("/apis/rbac.authorization.k8s.io/v1", "rolebindings"),
            ("/api/v1", "configmaps"),
        )
    }
    assert "/api/v1/namespaces" not in {c.path for c in apiserver.calls}
    assert {"/api/v1/namespaces/etl", "/api/v1/namespaces/cdc"} <= {c.path for c in apiserver.calls}
    resources = by_id(result)
    assert _namespaces_of(resources) == {"etl", "cdc"}
    assert f"{CLUSTER}/etl" in resources and f"{CLUSTER}/cdc" in resources
    assert f"{CLUSTER}/ClusterRoleBinding/ci-deployer-cluster-admin" in resources


def test_a_named_namespace_that_does_not_exist_is_a_problem(
    apiserver: ApiServerEmulator, kubeconfig: Path
) -> None:
    """include [etl, billing] where billing does not exist: etl arrives, billing is named in a
    problem."""
    serve(apiserver, manifests(DEMO))

    result = collect(gke_settings(kubeconfig, namespaces={"include": ["etl", "billing"]}))

    assert result.health.up, result.health.error
    assert result.problems == ["namespace billing (namespaces.include) does not exist"]
    assert _namespaces_of(by_id(result)) == {"etl"}


def test_a_namespace_the_credentials_may_not_read_is_a_problem(
    apiserver: ApiServerEmulator, kubeconfig: Path
) -> None:
    """403 on Pods in cdc only (a RoleBinding missing there): a problem naming the namespace,
    the kind and the verb; cdc's other kinds and etl's objects still arrive."""
    serve(apiserver, manifests(DEMO))
    apiserver.forbid("pods", namespace="cdc")

    result = collect(gke_settings(kubeconfig, namespaces={"include": ["etl", "cdc"]}))

    assert result.health.up, result.health.error
    assert len(result.problems) == 1
    assert result.problems[0].startswith("cannot list pods in namespace cdc: forbidden")
    resources = by_id(result)
    assert any(i.startswith(f"{CLUSTER}/cdc/StatefulSet/") for i in resources)
    assert any(i.startswith(f"{CLUSTER}/etl/") for i in resources)


def test_globs_and_excludes_filter_cluster_wide_lists(
    apiserver: ApiServerEmulator, kubeconfig: Path
) -> None:
    """include ['*'] with exclude [ingest, 'mon*']: one cluster-wide list per kind, and nothing
    from ingest or monitoring arrives."""
    serve(apiserver, manifests(DEMO, MANIFESTS))

    result = collect(
        gke_settings(kubeconfig, namespaces={"include": ["*"], "exclude": ["ingest", "mon*"]})
    )

    assert result.health.up, result.health.error
    assert not any("/namespaces/" in c.path for c in apiserver.calls)
    namespaces = _namespaces_of(by_id(result))
    assert namespaces == {"etl", "cdc", "serving"}
    assert f"{CLUSTER}/ingest" not in by_id(result)
