"""A whole organization read through the real clients from the fakes: discovery, inheritance,
conditions, accounts, keys, roles, usage, Pub/Sub backlog and Composer health — and what the
rule library makes of them."""

from __future__ import annotations

from datetime import timedelta

from auditor.collectors.base import CollectorContext
from auditor.collectors.gcp import create_collector
from auditor.model import PiiLabel
from auditor.state import HistoryStore
from tests.fakes.gcp.server import FakeGcp
from tests.integration.gcp.conftest import (
    IAM,
    NOW,
    ORG,
    RM,
    collect,
    findings,
    settings_for,
)

PROD = "projects/acme-data-prod"
STAGING = "projects/acme-data-staging"
SANDBOX = "projects/acme-sandbox-alice"
PROD_SA = "projects/acme-data-prod/serviceAccounts/{}@acme-data-prod.iam.gserviceaccount.com"


def test_only_active_projects_are_discovered_below_every_folder(fakes: FakeGcp) -> None:
    """The walk reaches nested folders and leaves out the delete-requested project and folder
    (Resource Manager lists only ACTIVE ones unless asked for deleted ones)."""
    collected = collect(settings_for(fakes))
    assert collected.result.health.up
    assert collected.ids("gcp.project") == {PROD, STAGING, SANDBOX}
    assert collected.problems == []
    assert "projects/acme-sandbox-old" not in fakes.record.targets(RM + "Projects.GetIamPolicy")
    listed = fakes.record.targets(RM + "Folders.ListFolders")
    assert "folders/700000000002" not in listed  # the delete-requested folder is not walked
    assert "folders/555000111222" in listed


def test_inherited_bindings_record_where_they_are_set(fakes: FakeGcp) -> None:
    """The folder's allUsers grant appears where it is set and on each project below it,
    naming its origin; the organization's external viewer reaches the PII project."""
    collected = collect(settings_for(fakes))
    public = "roles/storage.objectViewer/allUsers"
    assert f"folders/987654321098/{public}" in collected.ids("gcp.iam_binding")
    inherited = collected.data("gcp.iam_binding", f"{PROD}/{public}#from:folders/987654321098")
    assert inherited["inherited_from"] == "folders/987654321098"
    assert inherited["pii"] is True
    project = collected.data("gcp.project", PROD)
    assert project["ancestors"] == [
        "folders/555000111222",
        "folders/987654321098",
        f"organizations/{ORG}",
    ]
    assert project["data_access_logs_enabled"] is True  # from the organization's audit config


def test_conditional_bindings_keep_their_condition(fakes: FakeGcp) -> None:
    """Policies are read at version 3: the condition is there, not a _withcond_ role."""
    collected = collect(settings_for(fakes))
    binding = collected.data(
        "gcp.iam_binding",
        f"{PROD}/roles/bigquery.admin/group:data-eng@acme.example#cond:q3-migration",
    )
    assert binding["condition"]["expression"] == 'request.time < timestamp("2026-10-01T00:00:00Z")'
    assert collected.result.warnings == []  # no _withcond_ role to warn about


def test_accounts_keys_and_roles_are_enriched_with_the_policies(fakes: FakeGcp) -> None:
    """Accounts carry their roles and user-managed keys, keys their account's state, roles
    their permissions (deleted ones too); predefined roles granted come with permissions."""
    collected = collect(settings_for(fakes))
    cdc = collected.data("gcp.service_account", PROD_SA.format("cdc-connector"))
    assert cdc["roles"] == ["roles/editor"]
    assert cdc["privileged_roles"] == ["roles/editor"]
    assert cdc["user_managed_key_ids"] == ["3f9c1a7e52b04d8e9a61c2f0b7d4e8a15c3b9f27"]
    loader = collected.data("gcp.service_account", PROD_SA.format("old-batch-loader"))
    assert loader["disabled"] is True
    assert collected.ids("gcp.custom_role") == {
        "projects/acme-data-prod/roles/dataPipelineOperator",
        "projects/acme-data-prod/roles/oldLoader",
        f"organizations/{ORG}/roles/securityAuditor",
    }
    assert collected.data("gcp.custom_role", "projects/acme-data-prod/roles/oldLoader")["deleted"]
    editor = collected.data("gcp.predefined_role", "roles/editor")
    assert "iam.serviceAccounts.actAs" in editor["permissions"]


def test_usage_pubsub_and_composer_come_from_monitoring(fakes: FakeGcp) -> None:
    """Last authentications, backlog trends and environment health are read from the time series."""
    collected = collect(settings_for(fakes))
    legacy = collected.data("gcp.service_account", PROD_SA.format("legacy-reporting"))
    assert legacy["usage_known"] is True
    assert legacy["last_authenticated_at"] == "2026-08-18T12:00:00Z"
    assert legacy["usage_observed_at"] == "2026-11-26T12:00:00Z"
    never = collected.data("gcp.service_account", PROD_SA.format("dataflow-runner"))
    assert (never["usage_known"], never["last_authenticated_at"]) == (True, None)
    sink = collected.data("pubsub.subscription", f"{PROD}/subscriptions/orders-cdc-sink")
    assert (sink["num_undelivered_messages"], sink["undelivered_growth"]) == (4680, 3480)
    health = collected.data(
        "composer.environment", f"{PROD}/locations/europe-west1/environments/prod-composer"
    )
    assert (health["healthy"], health["unhealthy_points"]) == (False, 10)


def test_the_rules_find_what_was_planted(fakes: FakeGcp) -> None:
    """Dormant and unused, inherited public and external, growing and stuck, unhealthy: each
    planted problem is a finding, and the disabled account is not dormant."""
    found = {
        (f.rule_id, f.resource.id)
        for f in findings(
            collect(settings_for(fakes)),
            **{"gcp-iam-external-domain": {"allowed_domains": ["acme.example"]}},
        )
    }
    assert ("gcp-iam-sa-dormant", PROD_SA.format("legacy-reporting")) in found
    assert ("gcp-iam-sa-dormant", PROD_SA.format("dataflow-runner")) in found
    assert ("gcp-iam-sa-dormant", PROD_SA.format("old-batch-loader")) not in found
    legacy_key = (
        PROD_SA.format("legacy-reporting") + "/keys/a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8"
    )
    assert ("gcp-iam-sa-key-unused", legacy_key) in found
    public = f"{PROD}/roles/storage.objectViewer/allUsers#from:folders/987654321098"
    assert ("gcp-iam-public-member-pii", public) in found
    external = (
        f"{PROD}/roles/viewer/user:consultant@partner-analytics.example#from:organizations/{ORG}"
    )
    assert ("gcp-iam-external-domain", external) in found
    assert ("gcp-pubsub-backlog-growing", f"{PROD}/subscriptions/orders-cdc-sink") in found
    assert ("gcp-pubsub-stuck-messages", f"{PROD}/subscriptions/audit-export") in found
    assert (
        "gcp-composer-environment-unhealthy",
        f"{PROD}/locations/europe-west1/environments/prod-composer",
    ) in found
    assert not any(rule.startswith("gcp-pubsub") for rule, rid in found if "events-ok" in rid)


def test_include_and_exclude_select_projects_by_id_and_label(fakes: FakeGcp) -> None:
    """Filters apply to discovered projects, and what they leave out is counted."""
    collected = collect(
        settings_for(
            fakes, include={"ids": ["acme-data-*"]}, exclude={"labels": {"env": "staging"}}
        )
    )
    assert collected.ids("gcp.project") == {PROD}
    assert "2 project(s) left out by include/exclude" in collected.result.warnings
    assert set(fakes.record.targets(RM + "Projects.GetIamPolicy")) == {PROD}


def test_an_explicit_list_is_read_as_given_with_its_ancestry(fakes: FakeGcp) -> None:
    """Each listed project is described, its folders walked up to the organization for
    inheritance; a delete-requested or unknown one is a problem, not a silent omission."""
    collected = collect(
        settings_for(fakes, projects=["acme-data-prod", "acme-sandbox-old", "acme-ghost-1"])
    )
    assert collected.ids("gcp.project") == {PROD}
    assert collected.data("gcp.project", PROD)["ancestors"][-1] == f"organizations/{ORG}"
    assert collected.result.health.up
    assert any(
        "projects/acme-sandbox-old: Projects.GetProject says DELETE_REQUESTED" in p
        for p in collected.problems
    )
    assert any(
        "projects/acme-ghost-1: Projects.GetProject denied: the collector lacks permission "
        "resourcemanager.projects.get — not scanned" in p
        for p in collected.problems
    )
    assert RM + "Projects.ListProjects" not in fakes.record.methods()


def test_a_folder_root_reads_its_ancestors_policies(fakes: FakeGcp) -> None:
    """Scanning one folder still knows what the organization above it grants."""
    collected = collect(settings_for(fakes, folders=["987654321098"]))
    assert collected.ids("gcp.project") == {PROD, STAGING}
    assert f"organizations/{ORG}" in fakes.record.targets(RM + "Organizations.GetIamPolicy")
    assert any("#from:organizations/" in rid for rid in collected.ids("gcp.iam_binding"))


def test_every_page_is_read_to_the_end(fakes: FakeGcp) -> None:
    """With one item per page, nothing is lost and the listings really paged."""
    whole = collect(settings_for(fakes))
    paged = collect(settings_for(fakes, page_size=1, monitoring_page_size=1))
    for kind in ("gcp.project", "gcp.service_account", "gcp.custom_role", "pubsub.subscription"):
        assert paged.ids(kind) == whole.ids(kind), kind
    tokens = [c.page_token for c in fakes.record.calls if c.method == IAM + "ListServiceAccounts"]
    assert sum(1 for token in tokens if token) >= 3


def test_predefined_roles_are_read_once_per_ttl(fakes: FakeGcp) -> None:
    """A second collection by the same collector asks no GetRole within the TTL."""
    collector = create_collector(settings_for(fakes))
    try:
        context = CollectorContext(now=lambda: NOW, history=HistoryStore())
        collector.collect(context)
        first = fakes.record.count()[IAM + "GetRole"]
        again = collector.collect(context)
        assert fakes.record.count()[IAM + "GetRole"] == first == 9
        assert sum(r.kind == "gcp.predefined_role" for r in again.resources) == 9
    finally:
        collector.close()


def test_usage_is_unknown_until_the_history_spans_the_minimum(fakes: FakeGcp) -> None:
    """With Monitoring's 6 weeks only, dormancy is not judged (and the source says why);
    history kept across collections makes usage known once it spans 90 days."""
    history = HistoryStore()
    settings = settings_for(fakes, usage={"lookback_days": 42})
    first = collect(settings, history, NOW - timedelta(days=60))
    legacy = first.data("gcp.service_account", PROD_SA.format("legacy-reporting"))
    assert (legacy["usage_known"], legacy["last_authenticated_at"]) == (False, None)
    assert any("not judged yet" in warning for warning in first.result.warnings)
    collect(settings, history, NOW - timedelta(days=20))
    later = collect(settings, history, NOW)
    legacy = later.data("gcp.service_account", PROD_SA.format("legacy-reporting"))
    assert legacy["usage_known"] is True
    assert legacy["last_authenticated_at"] == "2026-08-18T12:00:00Z"  # seen 60 days ago, kept


def test_the_pii_label_is_auditor_yamls_unless_the_source_sets_its_own(fakes: FakeGcp) -> None:
    """auditor.yaml's `pii` reaches the source through its context; a source-level `pii`
    overrides it."""
    sensitivity = PiiLabel(key="sensitivity", values=("restricted",))
    other = collect(settings_for(fakes), pii=sensitivity)
    assert other.data("gcp.project", PROD)["pii"] is False
    own = collect(
        settings_for(fakes, pii={"label": "data-classification", "values": ["pii"]}),
        pii=sensitivity,
    )
    assert own.data("gcp.project", PROD)["pii"] is True
