"""The k8s.cluster resource records the cluster's name, how it was reached and its version."""

from __future__ import annotations

from datetime import UTC, datetime

from auditor.collectors.gke import GkeSettings
from auditor.collectors.gke.cluster import cluster_resource

AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _settings(**extra: object) -> GkeSettings:
    return GkeSettings.model_validate({"name": "data-prod", "type": "gke", **extra})


def test_a_gke_version_is_split_into_numbers() -> None:
    """gitVersion v1.30.5-gke.1014001 with minor "30+" is version 1.30 on GKE."""
    version = {"major": "1", "minor": "30+", "gitVersion": "v1.30.5-gke.1014001"}
    resource = cluster_resource(
        _settings(cluster="gke-data-prod", namespaces={"exclude": ["kube-*"]}),
        context="gke_acme_europe-west1_data-prod",
        version=version,
        kinds_read=["pods"],
        kinds_unreadable=["rolebindings.rbac.authorization.k8s.io"],
        observed_at=AT,
    )
    assert (resource.kind, resource.id, resource.scope) == (
        "k8s.cluster",
        "gke-data-prod",
        "gke-data-prod",
    )
    data = resource.data
    assert (data["version"], data["version_major"], data["version_minor"]) == (
        "v1.30.5-gke.1014001",
        1,
        30,
    )
    assert data["gke"] is True
    assert data["namespaces_exclude"] == ["kube-*"]
    assert data["kinds_unreadable"] == ["rolebindings.rbac.authorization.k8s.io"]


def test_an_unknown_version_is_null_not_missing() -> None:
    """Without a /version answer every version field is present and null."""
    data = cluster_resource(
        _settings(in_cluster=True),
        context=None,
        version=None,
        kinds_read=[],
        kinds_unreadable=[],
        observed_at=AT,
    ).data
    assert data["name"] == "data-prod"
    assert data["credentials"] == "in-cluster"
    assert [data[k] for k in ("version", "version_major", "version_minor", "platform")] == [
        None
    ] * 4
    assert data["gke"] is False
