"""Contracts kept by test for the gcloud listing kinds: documented fields are exactly the produced
ones, and every rule case over them is data the normaliser really produces from gcloud JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.engine.cases import run_cases
from auditor.engine.loader import load_rules
from auditor.gcp.activity import parse_activity
from auditor.gcp.custom_roles import parse_custom_role
from auditor.gcp.estate import (
    CLUSTER_KIND,
    CUSTOM_ROLE_KIND,
    KEY_KIND,
    SERVICE_ACCOUNT_KIND,
    GcloudListings,
    IamFacts,
    normalise_listings,
)
from auditor.gcp.gke_clusters import parse_cluster
from auditor.gcp.service_accounts import parse_key, parse_service_account
from auditor.loaders.static import StaticOptions, load_static
from auditor.model import Resource
from auditor.paths import demo_dir
from tests.unit.gcp.gcp_docs import documented_fields

REPO = Path(__file__).resolve().parents[3]
RULE_FOLDERS = [REPO / "rules" / "gcp-iam", REPO / "rules" / "gcp-gke"]
LISTING_KINDS = (SERVICE_ACCOUNT_KIND, KEY_KIND, CUSTOM_ROLE_KIND, CLUSTER_KIND)
PII_LABELS = {"data-classification": "pii"}
NEVER = "9999-12-31T23:59:59Z"


def demo_resources() -> list[Resource]:
    """The demo estate's GCP resources, which cover every listing kind."""
    loaded, _ = load_static([demo_dir() / "estate" / "gcp"], StaticOptions())
    return loaded.resources


@pytest.mark.parametrize("kind", LISTING_KINDS)
def test_every_documented_field_is_always_present_and_nothing_else(kind: str) -> None:
    """Each resource of the kind has exactly the fields docs/resource-kinds/gcp.md lists."""
    documented = documented_fields()[kind]
    resources = [r for r in demo_resources() if r.kind == kind]
    assert resources
    for resource in resources:
        assert set(resource.data) == documented, resource.id


def test_node_pool_fields_are_documented() -> None:
    """Every node pool of every cluster has exactly the documented `node_pools[]` fields."""
    documented = documented_fields()[f"{CLUSTER_KIND}.node_pools"]
    pools = [p for r in demo_resources() if r.kind == CLUSTER_KIND for p in r.data["node_pools"]]
    assert pools
    assert all(set(pool) == documented for pool in pools)


def _drop_none(raw: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in raw.items() if value is not None}


def _observation(observed_at: str | None) -> dict[str, Any]:
    return {"endTime": observed_at} if observed_at else {}


def _account_activity(email: str, project: str, last: str, observed: str | None) -> Any:
    name = f"//iam.googleapis.com/projects/{project}/serviceAccounts/{email}"
    raw = {
        "activityType": "serviceAccountLastAuthentication",
        "fullResourceName": name,
        "activity": {"lastAuthenticatedTime": last},
        "observationPeriod": _observation(observed),
    }
    return parse_activity(raw, ())


def _key_activity(email: str, project: str, key_id: str, last: str, observed: str | None) -> Any:
    name = f"//iam.googleapis.com/projects/{project}/serviceAccounts/{email}/keys/{key_id}"
    raw = {
        "activityType": "serviceAccountKeyLastAuthentication",
        "fullResourceName": name,
        "activity": {"lastAuthenticatedTime": last},
        "observationPeriod": _observation(observed),
    }
    return parse_activity(raw, ())


def _iam(email: str, roles: list[str] | None, project: str | None, pii: bool) -> IamFacts:
    labels = {project: PII_LABELS} if pii and project else {}
    return IamFacts({email: frozenset(roles)} if roles is not None else None, labels)


def _account_listings(data: dict[str, Any]) -> tuple[GcloudListings, IamFacts]:
    email, project = data["email"], data["project_id"]
    raw = _drop_none(
        {
            "name": f"projects/{project}/serviceAccounts/{email}",
            "email": email,
            "uniqueId": data["unique_id"],
            "displayName": data["display_name"],
            "description": data["description"],
            "disabled": data["disabled"] or None,
        }
    )
    listings = GcloudListings(service_accounts=[(parse_service_account(raw, ()), None)])
    if data["user_managed_key_ids"] is not None:
        key_ids = [*data["user_managed_key_ids"], "system"]
        for key_id in key_ids:
            key_type = "SYSTEM_MANAGED" if key_id == "system" else "USER_MANAGED"
            name = f"projects/{project}/serviceAccounts/{email}/keys/{key_id}"
            listings.keys.append((parse_key({"name": name, "keyType": key_type}, ()), None))
    if data["usage_known"]:
        # Usage of the project is known even when this account has no activity of its own.
        who = (
            email
            if data["last_authenticated_at"]
            else f"someone-else@{project}.iam.gserviceaccount.com"
        )
        last = data["last_authenticated_at"] or "2026-01-01T00:00:00Z"
        listings.authentications.append(
            _account_activity(who, project, last, data["usage_observed_at"])
        )
    return listings, _iam(email, data["roles"], project, data["pii"])


def _key_listings(data: dict[str, Any]) -> tuple[GcloudListings, IamFacts]:
    email, project, key_id = data["service_account_email"], data["project_id"], data["key_id"]
    raw = _drop_none(
        {
            "name": f"projects/{project or '-'}/serviceAccounts/{email}/keys/{key_id}",
            "keyType": data["key_type"],
            "keyOrigin": data["key_origin"],
            "keyAlgorithm": data["key_algorithm"],
            "validAfterTime": data["created_at"],
            "validBeforeTime": data["expires_at"] or NEVER,
            "disabled": data["disabled"] or None,
        }
    )
    listings = GcloudListings(keys=[(parse_key(raw, ()), None)])
    if data["service_account_disabled"] is not None:
        account = {
            "name": f"projects/{project}/serviceAccounts/{email}",
            "email": email,
            "disabled": data["service_account_disabled"],
        }
        listings.service_accounts.append((parse_service_account(account, ()), None))
    if data["usage_known"]:
        last = data["last_authenticated_at"]
        which = key_id if last else "someone-elses-key"
        listings.authentications.append(
            _key_activity(
                email, project, which, last or "2026-01-01T00:00:00Z", data["usage_observed_at"]
            )
        )
    roles = data["service_account_privileged_roles"]
    return listings, _iam(email, roles, project, data["pii"])


def _role_listings(data: dict[str, Any]) -> tuple[GcloudListings, IamFacts]:
    raw = _drop_none(
        {
            "name": data["role"],
            "title": data["title"],
            "description": data["description"],
            "stage": data["stage"],
            "deleted": data["deleted"] or None,
            "includedPermissions": data["permissions"],
        }
    )
    return GcloudListings(custom_roles=[(parse_custom_role(raw, ()), None)]), IamFacts()


def _cluster_raw(data: dict[str, Any]) -> dict[str, Any]:
    pools = [
        {
            "name": pool["name"],
            "config": _drop_none(
                {
                    "serviceAccount": pool["service_account"],
                    "oauthScopes": pool["oauth_scopes"],
                    "workloadMetadataConfig": (
                        {"mode": pool["metadata_mode"]} if pool["metadata_mode"] else None
                    ),
                }
            ),
        }
        for pool in data["node_pools"]
    ]
    provider = data["network_policy_provider"]
    location, project, name = data["location"], data["project_id"], data["name"]
    return _drop_none(
        {
            "name": name,
            "location": location,
            "selfLink": "https://container.googleapis.com/v1/projects/"
            f"{project}/locations/{location}/clusters/{name}",
            "autopilot": {"enabled": data["autopilot"]},
            "workloadIdentityConfig": {"workloadPool": data["workload_pool"]},
            "nodePools": pools,
            "privateClusterConfig": {
                "enablePrivateEndpoint": data["private_endpoint"],
                "enablePrivateNodes": data["private_nodes"],
            },
            "masterAuthorizedNetworksConfig": {
                "enabled": data["master_authorized_networks_enabled"],
                "cidrBlocks": [{"cidrBlock": c} for c in data["master_authorized_cidrs"]],
            },
            "networkConfig": {"datapathProvider": provider}
            if provider == "ADVANCED_DATAPATH"
            else None,
            "networkPolicy": (
                {"enabled": True, "provider": provider}
                if provider and provider != "ADVANCED_DATAPATH"
                else None
            ),
            "legacyAbac": {"enabled": data["legacy_abac_enabled"]},
            "shieldedNodes": {"enabled": data["shielded_nodes_enabled"]},
            "resourceLabels": data["labels"],
        }
    )


def _cluster_listings(data: dict[str, Any]) -> tuple[GcloudListings, IamFacts]:
    listings = GcloudListings(clusters=[(parse_cluster(_cluster_raw(data), ()), None)])
    labels = {data["project_id"]: PII_LABELS} if data["pii"] else {}
    return listings, IamFacts(project_labels=labels)


BUILDERS = {
    SERVICE_ACCOUNT_KIND: _account_listings,
    KEY_KIND: _key_listings,
    CUSTOM_ROLE_KIND: _role_listings,
    CLUSTER_KIND: _cluster_listings,
}


def renormalise(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The data the normaliser produces from gcloud JSON stating the facts a case resource states."""
    listings, iam = BUILDERS[kind](data)
    [produced] = [
        r.data for r in normalise_listings(listings, source="cases", iam=iam) if r.kind == kind
    ]
    return produced


def rule_cases() -> list[tuple[str, str, str, dict[str, Any]]]:
    """(rule id, kind, case name, resource data) for every case of every listing-kind rule."""
    cases = []
    for folder in RULE_FOLDERS:
        for path in sorted(folder.glob("*.yaml")):
            rule = yaml.safe_load(path.read_text(encoding="utf-8"))
            if rule["resource"] not in LISTING_KINDS:
                continue
            for outcome in ("pass", "fail"):
                for case in rule["cases"][outcome]:
                    cases.append((rule["id"], rule["resource"], case["name"], case["resource"]))
    return cases


@pytest.mark.parametrize(
    ("rule_id", "kind", "name", "data"), rule_cases(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_rule_cases_are_faithful_normaliser_output(
    rule_id: str, kind: str, name: str, data: dict[str, Any]
) -> None:
    """Re-normalising the facts a case states gives back exactly the case's resource."""
    assert renormalise(kind, data) == data, f"{rule_id}: {name}"


def test_every_listing_kind_has_rule_cases() -> None:
    """The contract above covers every listing kind."""
    assert {kind for _, kind, _, _ in rule_cases()} == set(LISTING_KINDS)


def test_gke_rules_load_and_their_cases_hold() -> None:
    """Every rule under rules/gcp-gke validates, and each case behaves as labelled."""
    loaded = load_rules([REPO / "rules" / "gcp-gke"])
    assert loaded.ok, [problem.one_line() for problem in loaded.problems]
    assert loaded.rules
    failures = [
        f"{result.rule_id} [{result.expected}] {result.name}: {result.detail}"
        for rule in loaded.rules
        for result in run_cases(rule)
        if not result.ok
    ]
    assert failures == []
