"""Cloud Asset Inventory read live: the real AssetServiceClient over gRPC against the fake,
paged to the end, scoped, faults contained, and the data platform's exposures found."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.engine.evaluate import Engine
from auditor.engine.loader import load_rules
from auditor.loaders.static import StaticOptions, load_static
from tests.fakes.gcp import asset_seed
from tests.fakes.gcp.asset import data_platform
from tests.fakes.gcp.server import FakeGcp
from tests.integration.gcp.conftest import (
    NOW,
    RULES,
    Collected,
    collect,
    findings,
    settings_for,
)

SEARCH_POLICIES = "google.cloud.asset.v1.AssetService.SearchAllIamPolicies"
SEARCH_RESOURCES = "google.cloud.asset.v1.AssetService.SearchAllResources"
ORG_SCOPE = "organizations/123456789012"
ASSET_KINDS = {
    "gcp.bigquery_dataset",
    "gcp.bigquery_table",
    "gcp.storage_bucket",
    "gcp.pubsub_topic",
    "gcp.pubsub_subscription",
    "gcp.cloud_function",
    "gcp.dataflow_job",
    "gcp.bigtable_instance",
    "gcp.impersonation_path",
}
DATASET = "//bigquery.googleapis.com/projects/acme-data-prod/datasets/marketing_exports"
PUBLIC_BUCKET = "//storage.googleapis.com/acme-public-reports"
WEBHOOK = (
    "//cloudfunctions.googleapis.com/projects/acme-data-prod/locations/europe-west1/"
    "functions/ingest-webhook"
)


@pytest.fixture(autouse=True)
def inventory(fakes: FakeGcp) -> None:
    """Each test starts from the seeded data platform inventory."""
    fakes.asset.inventory = data_platform()
    fakes.asset.page_sizes.clear()


def with_assets(fakes: FakeGcp, **assets: Any) -> Any:
    """The organization source with the asset reads on (extra `assets` keys override)."""
    return settings_for(fakes, assets={"enabled": True, **assets})


def asset_resources(collected: Collected) -> dict[tuple[str, str], dict[str, Any]]:
    """(kind, id) → data of what the asset reads made (resource-level bindings included)."""
    return {
        (r.kind, r.id): r.data
        for r in collected.result.resources
        if r.kind in ASSET_KINDS
        or (r.kind in ("gcp.iam_binding", "gcp.iam_member") and r.id.startswith("//"))
    }


def test_every_page_of_both_searches_is_read(fakes: FakeGcp) -> None:
    """With 2 results a page, each search is paged to its last token and nothing is lost."""
    whole = collect(with_assets(fakes))
    paged = collect(with_assets(fakes, page_size=2))
    assert not paged.problems
    calls = fakes.record.count()
    inventory = data_platform()
    assert calls[SEARCH_POLICIES] >= len(inventory.policies) // 2 + 1
    assert calls[SEARCH_RESOURCES] >= len(inventory.resources) // 2 + 1
    assert asset_resources(paged) == asset_resources(whole)
    assert set(whole.kinds) >= ASSET_KINDS


def test_the_search_asks_for_the_configured_scope_and_types(fakes: FakeGcp) -> None:
    """assets.scope replaces the source's selection; only the listed types come back."""
    collected = collect(
        with_assets(
            fakes,
            scope=["projects/acme-data-prod"],
            asset_types=["storage.googleapis.com/Bucket"],
        )
    )
    assert set(fakes.record.targets(SEARCH_RESOURCES)) == {"projects/acme-data-prod"}
    kinds = {kind for kind, _ in asset_resources(collected)}
    assert kinds == {"gcp.storage_bucket", "gcp.iam_binding", "gcp.iam_member"}
    assert collected.ids("gcp.storage_bucket") == {
        PUBLIC_BUCKET,
        "//storage.googleapis.com/acme-data-prod-landing",
    }


def test_the_default_scope_is_the_sources_organization(fakes: FakeGcp) -> None:
    """Without assets.scope, the organization the source walks is searched, once per search."""
    collect(with_assets(fakes))
    assert fakes.record.targets(SEARCH_POLICIES) == [ORG_SCOPE]
    assert fakes.record.targets(SEARCH_RESOURCES) == [ORG_SCOPE]


def test_quota_exhaustion_is_retried_to_success(fakes: FakeGcp) -> None:
    """Two 429s then an answer: the same resources as a quiet run, no problem."""
    quiet = asset_resources(collect(with_assets(fakes)))
    fakes.inject(SEARCH_POLICIES, "rate_limited", times=2)
    collected = collect(with_assets(fakes))
    assert not collected.problems
    assert fakes.record.count("rate_limited")[SEARCH_POLICIES] == 2
    assert asset_resources(collected) == quiet


def test_an_unavailable_storm_is_a_problem_not_a_crash(fakes: FakeGcp) -> None:
    """503 on every attempt: the search's scope is named, everything else is still read."""
    fakes.inject(SEARCH_RESOURCES, "unavailable", times=None)
    collected = collect(with_assets(fakes))
    assert collected.result.health.up
    [problem] = [p for p in collected.problems if "SearchAllResources" in p]
    assert ORG_SCOPE in problem and "503" in problem and "not judged" in problem
    assert "gcp.storage_bucket" not in collected.kinds
    assert "gcp.project" in collected.kinds  # the Resource Manager reads still count
    assert any(
        r.kind == "gcp.iam_binding" and r.id.startswith("//") for r in collected.result.resources
    )


def test_a_deadline_exceeded_search_is_retried(fakes: FakeGcp) -> None:
    """An answer after the call's deadline is retried, and the retry's answer counts."""
    fakes.inject(SEARCH_POLICIES, "deadline", times=1)
    collected = collect(with_assets(fakes))
    assert not collected.problems
    assert fakes.record.count("deadline")[SEARCH_POLICIES] == 1
    assert (
        "gcp.iam_binding",
        f"{DATASET}/roles/bigquery.dataViewer/user:growth.hacker@gmail.com",
    ) in (asset_resources(collected))


def test_a_denied_search_names_the_cloudasset_permission(fakes: FakeGcp) -> None:
    """403 on the policy search: the problem names cloudasset.assets.searchAllIamPolicies."""
    fakes.inject(SEARCH_POLICIES, "denied", times=None)
    collected = collect(with_assets(fakes))
    [problem] = [p for p in collected.problems if "SearchAllIamPolicies" in p]
    assert "cloudasset.assets.searchAllIamPolicies" in problem
    assert ORG_SCOPE in problem
    assert "gcp.storage_bucket" in collected.kinds  # the resource search still answered


def test_a_malformed_page_is_a_protocol_problem(fakes: FakeGcp) -> None:
    """An undecodable page fails its search (named), never the collection."""
    fakes.inject(SEARCH_RESOURCES, "malformed", times=None)
    collected = collect(with_assets(fakes))
    [problem] = [p for p in collected.problems if "SearchAllResources" in p]
    assert "malformed" in problem


def test_a_result_with_a_broken_policy_is_left_out_and_named(fakes: FakeGcp) -> None:
    """A policy whose member is not a principal drops that result only."""
    broken = fakes.asset.inventory.policies[2]
    broken["policy"]["bindings"][0]["members"] = ["usr:someone@acme.example"]
    collected = collect(with_assets(fakes))
    [problem] = [p for p in collected.problems if "malformed" in p]
    assert broken["resource"] in problem and "usr" in problem
    assert "gcp.storage_bucket" in collected.kinds


def test_off_by_default(fakes: FakeGcp) -> None:
    """A source without `assets` asks Cloud Asset Inventory nothing."""
    collect(settings_for(fakes))
    assert not {SEARCH_POLICIES, SEARCH_RESOURCES} & fakes.record.methods()


def test_the_data_platform_exposures_are_found(fakes: FakeGcp) -> None:
    """Existing IAM rules judge resource-level grants; the asset rules judge the facts."""
    collected = collect(with_assets(fakes))
    found = {(f.rule_id, f.resource.id): f for f in findings(collected)}
    gmail = f"{DATASET}/roles/bigquery.dataViewer/user:growth.hacker@gmail.com"
    assert found[("gcp-iam-consumer-domain", gmail)].severity.value == "critical"
    table = (
        "//bigquery.googleapis.com/projects/acme-data-prod/datasets/customers/tables/profiles"
        "/roles/bigquery.dataViewer/allAuthenticatedUsers"
    )
    assert found[("gcp-iam-public-member-pii", table)].severity.value == "critical"
    assert (
        "gcp-iam-public-member",
        f"{PUBLIC_BUCKET}/roles/storage.objectViewer/allUsers",
    ) in found
    assert ("gcp-assets-function-public-invoker", WEBHOOK) in found
    assert ("gcp-assets-function-ingress-all", WEBHOOK) in found
    assert ("gcp-assets-bucket-uniform-access", PUBLIC_BUCKET) in found
    assert ("gcp-assets-bucket-public-access-prevention", PUBLIC_BUCKET) in found
    rules = {rule for rule, _ in found}
    assert {
        "gcp-assets-dataflow-worker-sa",
        "gcp-assets-function-runtime-sa",
        "gcp-assets-subscription-dead-letter",
        "gcp-assets-impersonation-path",
    } <= rules
    # The recommended grant — Token Creator on one account — is not a project-wide one.
    assert not any(
        rule == "gcp-iam-sa-user-token-creator-project-level" and rid.startswith("//")
        for rule, rid in found
    )


def _judged(resources: list[Any]) -> list[tuple[str, str, str, str]]:
    engine = Engine(load_rules([RULES]).rules)
    evaluation = engine.evaluate(resources, NOW)
    assert evaluation.errors == []
    return sorted(
        (f.rule_id, f.resource.id, f.severity.value, f.message) for f in evaluation.findings
    )


def test_gcloud_exports_scan_to_the_live_findings(fakes: FakeGcp, tmp_path: Path) -> None:
    """The same inventory exported with gcloud and read by `auditor scan` gives the findings
    the live asset reads give: same rules, resources, severities and messages."""
    collected = collect(with_assets(fakes))
    live = [r for r in collected.result.resources if r.kind in ASSET_KINDS or r.id.startswith("//")]
    asset_seed.write(tmp_path)
    loaded, _ = load_static([tmp_path], StaticOptions())
    assert {r.kind for r in loaded.resources} == {r.kind for r in live}
    assert [(r.kind, r.id, r.data) for r in sorted(loaded.resources, key=_key)] == [
        (r.kind, r.id, r.data) for r in sorted(live, key=_key)
    ]
    assert _judged(loaded.resources) == _judged(live)
    assert any(rule.startswith("gcp-assets-") for rule, *_ in _judged(live))


def _key(resource: Any) -> tuple[str, str]:
    return resource.kind, resource.id


def test_include_filters_keep_only_the_discovered_projects_results(fakes: FakeGcp) -> None:
    """With include/exclude and no assets.scope, results of projects left out do not count."""
    collected = collect(
        settings_for(fakes, assets={"enabled": True}, include={"ids": ["acme-data-staging"]})
    )
    kinds = {kind for kind, _ in asset_resources(collected)}
    assert kinds == {"gcp.bigquery_dataset"}
    assert collected.ids("gcp.bigquery_dataset") == {
        "//bigquery.googleapis.com/projects/acme-data-staging/datasets/analytics_scratch"
    }
