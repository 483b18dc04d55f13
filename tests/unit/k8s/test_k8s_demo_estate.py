"""The demo estate under the GKE rules: findings in every category, clean objects stay clean."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from auditor.engine.evaluate import Engine
from auditor.engine.loader import load_rules
from auditor.loaders.manifests import load_manifests

REPO = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def test_demo_findings_are_exactly_the_planted_problems() -> None:
    """Each planted problem is found once, and exempted or well-configured objects are not."""
    resources = load_manifests(
        [REPO / "auditor" / "demo" / "estate" / "k8s"], cluster="gke"
    ).resources
    engine = Engine(load_rules([REPO / "rules" / "gke"]).rules)
    evaluation = engine.evaluate(resources, NOW)
    assert evaluation.errors == []
    found = sorted((f.rule_id, f.resource.id) for f in evaluation.findings)
    assert found == [
        ("gke-namespace-no-default-deny", "gke/cdc"),
        ("gke-namespace-no-default-deny", "gke/etl"),
        ("gke-pdb-blocks-eviction", "gke/cdc/StatefulSet/debezium-connect"),
        ("gke-rbac-cluster-admin-binding", "gke/ClusterRoleBinding/ci-deployer-cluster-admin"),
        ("gke-service-public-load-balancer", "gke/ingest/Service/ingest-api"),
        ("gke-workload-automount-token", "gke/etl/Deployment/etl-worker"),
        ("gke-workload-gcp-key-file", "gke/cdc/StatefulSet/debezium-connect"),
        ("gke-workload-min-replicas", "gke/etl/Deployment/etl-worker"),
        ("gke-workload-pdb-missing", "gke/ingest/Deployment/schema-registry"),
        ("gke-workload-probes-missing", "gke/etl/Deployment/etl-worker"),
        ("gke-workload-runs-as-root", "gke/etl/Deployment/etl-worker"),
        ("gke-workload-secret-env-literal", "gke/etl/Deployment/etl-worker"),
    ]
    assert {f.category.value for f in evaluation.findings} == {
        "zero-trust",
        "least-privilege",
        "pii",
        "ha",
    }


def test_demo_findings_never_print_secret_values() -> None:
    """The literal password in the demo appears in no finding message or evidence."""
    resources = load_manifests([REPO / "auditor" / "demo" / "estate" / "k8s"]).resources
    engine = Engine(load_rules([REPO / "rules" / "gke"]).rules)
    for finding in engine.evaluate(resources, NOW).findings:
        assert "s3cr3t" not in finding.message
        assert "s3cr3t" not in repr(finding.evidence)
