"""The demo estate's gcloud outputs under the GCP rules: each planted problem is found once, at
the severity its project warrants, and the traps (a disabled unused account, usage unknown in
staging, Google-managed keys, a deleted role) stay quiet."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from auditor.engine.evaluate import Engine
from auditor.engine.loader import load_rules
from auditor.loaders.static import StaticOptions, load_static
from auditor.model import Finding
from auditor.paths import demo_dir

REPO = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 11, 26, tzinfo=UTC)
LISTING_KINDS = {
    "gcp.service_account",
    "gcp.service_account_key",
    "gcp.custom_role",
    "gcp.gke_cluster",
}
PROD_SA = "projects/acme-data-prod/serviceAccounts/{}@acme-data-prod.iam.gserviceaccount.com"
PROD_CLUSTER = "projects/acme-data-prod/locations/europe-west1/clusters/gke-prod-europe-west1"
STAGING_CLUSTER = "projects/acme-data-staging/locations/europe-west1-b/clusters/gke-staging"
CDC_KEY = PROD_SA.format("cdc-connector") + "/keys/3f9c1a7e52b04d8e9a61c2f0b7d4e8a15c3b9f27"
DATAFLOW_KEY = PROD_SA.format("dataflow-runner") + "/keys/c41d7e2a9b3f50618e2d4c6a8b0f1e3d5c7a9b2e"


def demo_findings() -> list[Finding]:
    """Findings of rules/gcp-iam and rules/gcp-gke over the demo's GCP estate, as of NOW."""
    loaded, _ = load_static([demo_dir() / "estate" / "gcp"], StaticOptions())
    assert loaded.warnings == []
    rules = load_rules([REPO / "rules" / "gcp-iam", REPO / "rules" / "gcp-gke"]).rules
    rules = [
        r.with_params({"allowed_domains": ["acme-data.example"]})
        if r.id == "gcp-iam-external-domain"
        else r
        for r in rules
    ]
    evaluation = Engine(rules).evaluate(loaded.resources, NOW)
    assert evaluation.errors == []
    return evaluation.findings


def test_listing_findings_are_exactly_the_planted_problems() -> None:
    """Keys, usage, custom roles and clusters yield exactly the planted findings and severities."""
    found = sorted(
        (f.rule_id, f.resource.id, f.severity.value)
        for f in demo_findings()
        if f.resource.kind in LISTING_KINDS
    )
    assert found == [
        ("gcp-gke-control-plane-exposed", STAGING_CLUSTER, "medium"),
        ("gcp-gke-network-policy-disabled", STAGING_CLUSTER, "medium"),
        ("gcp-gke-node-pool-default-sa", PROD_CLUSTER, "critical"),
        ("gcp-gke-workload-identity-disabled", PROD_CLUSTER, "high"),
        (
            "gcp-iam-custom-role-dangerous-permissions",
            "projects/acme-data-prod/roles/dataPipelineOperator",
            "high",
        ),
        ("gcp-iam-sa-dormant", PROD_SA.format("legacy-reporting"), "medium"),
        ("gcp-iam-sa-key-rotation", CDC_KEY, "high"),
        ("gcp-iam-sa-key-rotation", DATAFLOW_KEY, "high"),
        ("gcp-iam-sa-key-unused", DATAFLOW_KEY, "medium"),
        ("gcp-iam-sa-user-managed-keys", PROD_SA.format("cdc-connector"), "high"),
        ("gcp-iam-sa-user-managed-keys", PROD_SA.format("dataflow-runner"), "high"),
        ("gcp-iam-sa-user-managed-keys", PROD_SA.format("legacy-reporting"), "high"),
    ]


def test_the_cdc_connector_key_finding_names_its_age() -> None:
    """The rotation finding names the key age in days (400 at the data date, 405 at NOW), escalated."""
    [finding] = [f for f in demo_findings() if f.resource.id == CDC_KEY]
    assert "is 405 days old (created 2025-10-16T09:41:07Z)" in finding.message
    assert finding.evidence["age_days"] == 405
    assert finding.evidence["escalated"]
    assert finding.resource.location is not None
    assert finding.resource.location.file.endswith("keys.cdc-connector.acme-data-prod.json")


def test_members_outside_the_allowed_domains_on_the_pii_project_are_critical() -> None:
    """The consumer-domain and external-domain grants on the PII project escalate to critical."""
    by_rule = {
        (f.rule_id, f.resource.scope): f.severity.value
        for f in demo_findings()
        if f.rule_id in ("gcp-iam-consumer-domain", "gcp-iam-external-domain")
    }
    assert by_rule[("gcp-iam-consumer-domain", "projects/acme-data-prod")] == "critical"
    assert by_rule[("gcp-iam-external-domain", "projects/acme-data-prod")] == "critical"
    assert by_rule[("gcp-iam-external-domain", "projects/acme-data-staging")] == "medium"
