"""The Cloud Asset Inventory normaliser: resource-level bindings, PII of resources, facts
whose configuration is unknown, and impersonation paths across resources."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from auditor.gcp.asset_context import KnownProject
from auditor.gcp.asset_results import parse_policy_result, parse_resource_result
from auditor.gcp.assets import AssetFormatError, normalise_assets
from auditor.gcp.fields import ListingFormatError
from auditor.model import PiiLabel, Resource
from tests.fakes.gcp import asset_seed

TABLE = "//bigquery.googleapis.com/projects/acme-data-prod/datasets/customers/tables/profiles"
PUBLIC_BUCKET = "//storage.googleapis.com/acme-public-reports"
CDC = "cdc-connector@acme-data-prod.iam.gserviceaccount.com"


def normalise(
    policies: list[dict[str, Any]],
    resources: list[dict[str, Any]],
    **options: Any,
) -> list[Resource]:
    """Parse gcloud-shaped results and normalise them."""
    parsed_policies = [parse_policy_result(raw, (i,)) for i, raw in enumerate(policies)]
    parsed_resources = [parse_resource_result(raw, (i,)) for i, raw in enumerate(resources)]
    return normalise_assets(parsed_policies, parsed_resources, source="test", **options).resources


def one(resources: list[Resource], kind: str, rid: str) -> dict[str, Any]:
    """The data of the one resource of `kind` with `rid`."""
    [data] = [r.data for r in resources if r.kind == kind and r.id == rid]
    return data


def seeded(**options: Any) -> list[Resource]:
    """The seeded data platform, normalised."""
    return normalise(asset_seed.iam_policies(), asset_seed.resources(), **options)


def test_a_resource_level_grant_is_a_binding_of_that_resource() -> None:
    """Scope is the full name, scope_type the asset type, model scope the project id."""
    resources = seeded()
    [binding] = [r for r in resources if r.kind == "gcp.iam_binding" and r.data["scope"] == TABLE]
    assert binding.id == f"{TABLE}/roles/bigquery.dataViewer/allAuthenticatedUsers"
    assert binding.scope == "projects/acme-data-prod"
    assert binding.data["scope_type"] == "bigquery.googleapis.com/Table"
    assert binding.data["scope_id"] == TABLE.removeprefix("//bigquery.googleapis.com/")
    assert binding.data["is_public"] is True
    assert binding.data["inherited_from"] is None
    assert binding.data["pii"] is True  # the dataset is labelled pii


def test_project_policies_make_no_bindings_but_count_for_accounts() -> None:
    """Resource-manager policies found by the search are left to the Resource Manager reads."""
    resources = seeded()
    assert not [
        r
        for r in resources
        if r.kind == "gcp.iam_binding" and r.data["scope"].startswith("//cloudresourcemanager")
    ]
    job = one(
        resources,
        "gcp.dataflow_job",
        f"{asset_seed.DATAFLOW}/2026-11-20_03_00_00-118",
    )
    assert job["service_account_email"] == asset_seed.COMPUTE_SA
    assert job["service_account_basic_roles"] == ["roles/editor"]


def test_member_roles_anywhere_add_the_project_grants() -> None:
    """roles_anywhere of a member on a dataset includes its roles on the dataset's project."""
    member = one(
        seeded(),
        "gcp.iam_member",
        f"{asset_seed.BQ}/customers/serviceAccount:dataflow-runner{asset_seed.SA}",
    )
    assert member["roles"] == ["roles/bigquery.dataOwner"]
    assert member["roles_anywhere"] == ["roles/bigquery.dataOwner"]
    legacy = normalise(
        [
            asset_seed.iam_policies()[0],
            {
                **asset_seed.iam_policies()[2],
                "policy": {
                    "bindings": [
                        {
                            "role": "roles/bigquery.jobUser",
                            "members": [f"serviceAccount:legacy-reporting{asset_seed.SA}"],
                        }
                    ]
                },
            },
        ],
        [],
    )
    data = one(
        legacy,
        "gcp.iam_member",
        f"{asset_seed.BQ}/customers/serviceAccount:legacy-reporting{asset_seed.SA}",
    )
    assert data["roles_anywhere"] == ["roles/bigquery.dataViewer", "roles/bigquery.jobUser"]


def test_the_nearest_classification_wins() -> None:
    """A bucket labelled public in a PII project is not PII; an unlabelled table in a PII
    dataset is; a subscription follows its topic."""
    resources = seeded()
    assert one(resources, "gcp.storage_bucket", PUBLIC_BUCKET)["pii"] is False
    table = one(resources, "gcp.bigquery_table", TABLE)
    assert table["pii_source"] == f"{asset_seed.BQ}/customers"
    subscription = one(
        resources,
        "gcp.pubsub_subscription",
        f"{asset_seed.PUBSUB}/subscriptions/customer-events-audit",
    )
    assert subscription["pii_source"] == f"{asset_seed.PUBSUB}/topics/customer-events"


def test_the_pii_label_is_configurable() -> None:
    """Another key and value mark the same resources, and the default ones no longer do."""
    raw = copy.deepcopy(asset_seed.resources())
    for resource in raw:
        resource.pop("labels", None)
    bucket = next(r for r in raw if r["name"] == PUBLIC_BUCKET)
    bucket["labels"] = {"sensitivity": "personal"}
    resources = normalise([], raw, pii=PiiLabel("sensitivity", ("personal", "special")))
    assert one(resources, "gcp.storage_bucket", PUBLIC_BUCKET)["pii_source"] == PUBLIC_BUCKET
    landing = one(
        resources, "gcp.storage_bucket", "//storage.googleapis.com/acme-data-prod-landing"
    )
    assert landing["pii"] is False


def test_discovered_projects_name_the_project_of_a_bucket() -> None:
    """Without Project results, the project number resolves through discovery's projects."""
    raw = [r for r in asset_seed.resources() if r["name"] == PUBLIC_BUCKET]
    alone = one(normalise([], raw), "gcp.storage_bucket", PUBLIC_BUCKET)
    assert alone["project_id"] is None
    known = KnownProject("acme-data-prod", asset_seed.PROD, {"data-classification": "pii"})
    found = one(normalise([], raw, projects=[known]), "gcp.storage_bucket", PUBLIC_BUCKET)
    assert found["project_id"] == "acme-data-prod"


def test_configuration_not_read_is_unknown_not_default() -> None:
    """Without versionedResources, ingress, identity and bucket settings are null."""
    raw = copy.deepcopy(asset_seed.resources())
    for resource in raw:
        resource.pop("versionedResources")
    resources = normalise(asset_seed.iam_policies(), raw)
    function = one(resources, "gcp.cloud_function", f"{asset_seed.FUNCTIONS}/pii-export")
    assert function["ingress_settings"] is None
    assert function["uses_default_service_account"] is None
    bucket = one(resources, "gcp.storage_bucket", PUBLIC_BUCKET)
    assert bucket["uniform_bucket_level_access"] is None
    assert bucket["public_access_prevention"] is None


def test_function_defaults_follow_the_generation() -> None:
    """Gen 1 without an account runs as PROJECT@appspot; unset ingress is ALLOW_ALL."""
    resources = seeded()
    gen1 = one(resources, "gcp.cloud_function", f"{asset_seed.FUNCTIONS}/pii-export")
    assert gen1["service_account_email"] == "acme-data-prod@appspot.gserviceaccount.com"
    assert gen1["uses_default_service_account"] is True
    assert gen1["ingress_settings"] == "ALLOW_INTERNAL_ONLY"
    gen2 = one(resources, "gcp.cloud_function", f"{asset_seed.FUNCTIONS}/ingest-webhook")
    assert (gen2["generation"], gen2["runtime"]) == (2, "python312")
    assert gen2["allows_unauthenticated"] is True
    assert gen2["uses_default_service_account"] is False


def test_impersonation_paths_join_grants_with_the_accounts_roles() -> None:
    """Token Creator on the account, and User on its project, both lead to its Editor role."""
    paths = {r.id: r.data for r in seeded() if r.kind == "gcp.impersonation_path"}
    contractor = next(
        data for data in paths.values() if data["member"] == "user:dev.contractor@acme-data.example"
    )
    assert contractor["service_account_email"] == CDC
    assert contractor["target_privileged_roles"] == ["roles/editor"]
    assert contractor["granted_on_type"] == "iam.googleapis.com/ServiceAccount"
    project_wide = [
        data for data in paths.values() if data["member"] == "group:data-eng@acme-data.example"
    ]
    assert {data["service_account_email"] for data in project_wide} == {
        CDC,
        f"dataflow-runner{asset_seed.SA}",
        f"ingest-api{asset_seed.SA}",
    }


def test_no_policy_read_means_roles_unknown() -> None:
    """Without any policy, an account's roles are null, never an empty all-clear."""
    resources = normalise([], asset_seed.resources())
    job = one(resources, "gcp.dataflow_job", f"{asset_seed.DATAFLOW}/2026-11-26_01_00_00-442")
    assert job["service_account_roles"] is None


def test_an_account_acting_as_itself_is_no_path() -> None:
    """A project-wide grant to an account does not make it a path to itself."""
    policy = copy.deepcopy(asset_seed.iam_policies()[0])
    policy["policy"]["bindings"] = [
        {"role": "roles/iam.serviceAccountUser", "members": [f"serviceAccount:{CDC}"]}
    ]
    paths = [
        r.data
        for r in normalise([policy], asset_seed.resources())
        if r.kind == "gcp.impersonation_path"
    ]
    assert {p["service_account_email"] for p in paths} == {
        f"dataflow-runner{asset_seed.SA}",
        f"ingest-api{asset_seed.SA}",
    }


def test_a_malformed_policy_names_its_field() -> None:
    """An unknown member prefix is an error at policy.bindings[0].members[0] of its result."""
    policy = copy.deepcopy(asset_seed.iam_policies()[3])
    policy["policy"]["bindings"][0]["members"] = ["usr:x@acme-data.example"]
    with pytest.raises(AssetFormatError) as caught:
        normalise([policy], [])
    assert caught.value.path == (0, "policy", "bindings", 0, "members", 0)


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (
            {"name": "storage.googleapis.com/b", "assetType": "storage.googleapis.com/Bucket"},
            "name",
        ),
        ({"name": "//storage.googleapis.com/b", "assetType": "Bucket"}, "assetType"),
        (
            {
                "name": "//storage.googleapis.com/b",
                "assetType": "storage.googleapis.com/Bucket",
                "labels": {"a": 1},
            },
            "labels",
        ),
    ],
)
def test_a_malformed_resource_result_names_its_field(raw: dict[str, Any], field: str) -> None:
    """A result without a full name, with a bad asset type or labels fails at that field."""
    with pytest.raises(ListingFormatError) as caught:
        parse_resource_result(raw, (4,))
    assert caught.value.path[:2] == (4, field)
