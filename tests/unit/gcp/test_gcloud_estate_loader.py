"""Reading a scan's gcloud files together: cross facts, usage semantics, locations and errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.errors import InputError
from auditor.loaders.gcloud_estate import load_gcloud_estate
from auditor.loaders.static import StaticOptions, load_static
from auditor.model import Resource

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "gcp"
POLICY = FIXTURES / "projects.acme-analytics.iam.json"
ACCOUNTS = FIXTURES / "service-accounts.acme-analytics.json"
ETL_KEYS = FIXTURES / "keys.etl.acme-analytics.json"
OLD_KEYS = FIXTURES / "keys.old-exporter.acme-analytics.json"
ACCOUNT_USAGE = FIXTURES / "activity.service-accounts.acme-analytics.json"
KEY_USAGE = FIXTURES / "activity.keys.acme-analytics.json"
ROLES_LISTED = FIXTURES / "roles.list.acme-analytics.json"
ROLE_DESCRIBED = FIXTURES / "role.partnerLoader.acme-analytics.json"
CLUSTERS = FIXTURES / "gke.clusters.acme-analytics.json"
ALL_LISTINGS = [
    ACCOUNTS,
    ETL_KEYS,
    OLD_KEYS,
    ACCOUNT_USAGE,
    KEY_USAGE,
    ROLES_LISTED,
    ROLE_DESCRIBED,
    CLUSTERS,
]
ETL = "projects/acme-analytics/serviceAccounts/etl@acme-analytics.iam.gserviceaccount.com"
OLD = "projects/acme-analytics/serviceAccounts/old-exporter@acme-analytics.iam.gserviceaccount.com"
COMPUTE = (
    "projects/acme-analytics/serviceAccounts/204517663901-compute@developer.gserviceaccount.com"
)


def write(tmp_path: Path, name: str, data: Any) -> Path:
    """Write `data` as gcloud would (indented JSON) to tmp_path/name."""
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2), encoding="utf-8")
    return path


def listed(policies: list[Path], listings: list[Path]) -> dict[str, Resource]:
    """The listing resources of a scan, by id."""
    estate = load_gcloud_estate(policies, listings)
    assert estate.listings is not None
    return {r.id: r for r in estate.listings.resources}


def test_policies_keys_and_usage_enrich_the_accounts() -> None:
    """Roles come from the policy, key counts from key listings, usage from activity."""
    found = listed([POLICY], ALL_LISTINGS)
    etl = found[ETL].data
    assert etl["roles"] == ["roles/bigquery.dataEditor", "roles/editor"]
    assert etl["privileged_roles"] == ["roles/editor"]
    assert etl["user_managed_key_count"] == 2  # the Google-managed key does not count
    assert etl["last_authenticated_at"] == "2026-11-23T08:00:00Z"  # the latest of two
    assert (etl["usage_known"], etl["usage_observed_at"]) == (True, "2026-11-24T08:00:00Z")
    assert etl["pii"] is True  # the policy's sidecar labels the project
    compute = found[COMPUTE].data
    assert compute["user_managed_key_count"] is None  # its keys were not listed
    assert (compute["usage_known"], compute["last_authenticated_at"]) == (True, None)


def test_without_policies_roles_are_unknown_not_empty() -> None:
    """No policy in the scan: roles and privileged roles are null, and nothing is PII."""
    etl = listed([], [ACCOUNTS])[ETL].data
    assert (etl["roles"], etl["privileged_roles"], etl["pii"]) == (None, None, False)
    assert (etl["usage_known"], etl["usage_observed_at"]) == (False, None)


def test_keys_know_their_account_and_usage() -> None:
    """A key carries its account's state and roles, and its own last use."""
    found = listed([POLICY], ALL_LISTINGS)
    used = found[f"{ETL}/keys/1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e"].data
    assert used["last_authenticated_at"] == "2026-11-23T08:00:00Z"
    assert used["service_account_privileged_roles"] == ["roles/editor"]
    uploaded = found[f"{ETL}/keys/9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6"].data
    assert (uploaded["key_origin"], uploaded["expires_at"]) == (
        "USER_PROVIDED",
        "2027-10-01T10:00:00Z",
    )
    assert (uploaded["usage_known"], uploaded["last_authenticated_at"]) == (True, None)
    # Named projects/-/…: the project comes from the account's address.
    old = found[f"{OLD}/keys/0123456789abcdef0123456789abcdef01234567"]
    assert old.scope == "projects/acme-analytics"
    assert old.data["service_account_disabled"] is True


def test_keys_without_their_account_listed_do_not_guess_its_state() -> None:
    """A key whose account was not listed has service_account_disabled null."""
    [key, *_] = listed([], [ETL_KEYS]).values()
    assert key.data["service_account_disabled"] is None
    assert key.data["usage_known"] is False


def test_usage_of_another_project_leaves_usage_unknown(tmp_path: Path) -> None:
    """Activity of project A says nothing about the accounts of project B."""
    other = json.loads(ACCOUNT_USAGE.read_text())
    for activity in other:
        activity["fullResourceName"] = activity["fullResourceName"].replace(
            "acme-analytics", "acme-other-project"
        )
    usage = write(tmp_path, "activity.json", other)
    etl = listed([], [ACCOUNTS, usage])[ETL].data
    assert (etl["usage_known"], etl["last_authenticated_at"]) == (False, None)


def test_a_listed_role_gives_way_to_its_described_copy() -> None:
    """roles list (no permissions) and roles describe of one role make one resource, described."""
    estate = load_gcloud_estate([], [ROLES_LISTED, ROLE_DESCRIBED])
    assert estate.listings is not None
    [role] = estate.listings.resources
    assert role.data["permissions"] == [
        "bigquery.datasets.setIamPolicy",
        "bigquery.tables.updateData",
        "storage.objects.get",
    ]
    assert role.location is not None and role.location.file == str(ROLE_DESCRIBED)
    assert estate.listings.warnings == []


def test_roles_listed_without_permissions_warn() -> None:
    """Only `roles list` output: permissions are unknown, and the loader says how to get them."""
    estate = load_gcloud_estate([], [ROLES_LISTED])
    assert estate.listings is not None
    [role] = estate.listings.resources
    assert role.data["permissions"] is None
    [warning] = estate.listings.warnings
    assert warning.startswith(f"{ROLES_LISTED}: roles without includedPermissions")
    assert "gcloud iam roles describe" in warning


def test_clusters_take_pii_from_their_own_or_their_projects_labels(tmp_path: Path) -> None:
    """A cluster labelled PII is PII; so is any cluster of a project labelled PII."""
    alone = {r.data["name"]: r.data["pii"] for r in listed([], [CLUSTERS]).values()}
    assert alone == {"analytics-autopilot": False, "legacy-batch": True}
    with_policy = {r.data["name"]: r.data["pii"] for r in listed([POLICY], [CLUSTERS]).values()}
    assert with_policy == {"analytics-autopilot": True, "legacy-batch": True}


def test_each_resource_points_at_its_object() -> None:
    """Locations are the file and line where each listed object starts, for SARIF."""
    found = listed([], [ACCOUNTS])
    lines = [
        line for line, text in enumerate(ACCOUNTS.read_text().splitlines(), 1) if text == "  {"
    ]
    assert [(r.location.file, r.location.line) for r in found.values() if r.location] == [
        (str(ACCOUNTS), line) for line in lines
    ]


def test_a_malformed_object_is_an_error_at_its_line_and_field(tmp_path: Path) -> None:
    """The error names the file, the object's line, its index and field."""
    keys = json.loads(ETL_KEYS.read_text())
    keys[1]["keyType"] = "USER"
    path = write(tmp_path, "keys.json", keys)
    with pytest.raises(InputError) as caught:
        load_gcloud_estate([], [path])
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if '"USER"' in text)
    assert caught.value.path == str(path)
    assert caught.value.line == line
    assert caught.value.detail.startswith("[1].keyType: 'USER' is not USER_MANAGED")


def test_the_same_object_twice_is_one_resource_unless_it_differs(tmp_path: Path) -> None:
    """Identical copies (two exports of one moment) merge; different ones are an error."""
    accounts = json.loads(ACCOUNTS.read_text())
    copy = write(tmp_path, "copy.json", accounts)
    assert len(listed([], [ACCOUNTS, copy])) == len(accounts)
    accounts[1]["disabled"] = True
    changed = write(tmp_path, "changed.json", accounts)
    with pytest.raises(InputError, match="listed twice, differently") as caught:
        load_gcloud_estate([], [ACCOUNTS, changed])
    assert caught.value.path == str(changed)


def test_static_scan_routes_gcloud_json_and_keeps_sources_apart(tmp_path: Path) -> None:
    """A directory of policies and listings loads as two sources; an empty list is skipped."""
    write(tmp_path, "empty.json", [])
    loaded, sources = load_static([FIXTURES, tmp_path], StaticOptions())
    assert {s.name for s in sources} == {"iam-policy", "gcloud"}
    kinds = {r.kind for r in loaded.resources}
    assert {
        "gcp.service_account",
        "gcp.service_account_key",
        "gcp.custom_role",
        "gcp.gke_cluster",
    } <= kinds
    assert [w for w in loaded.warnings if "empty.json" in w and "skipped" in w]
    assert {r.source for r in loaded.resources if r.kind == "gcp.gke_cluster"} == {"gcloud"}
