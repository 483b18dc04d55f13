"""Parsing gcloud listings: which command a document is, and each object checked field by field."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.gcp.activity import parse_activity
from auditor.gcp.custom_roles import parse_custom_role
from auditor.gcp.fields import ListingFormatError
from auditor.gcp.gke_clusters import parse_cluster
from auditor.gcp.listings import ListingKind, listing_kind
from auditor.gcp.service_accounts import parse_key, parse_service_account

SA = "etl@acme-analytics.iam.gserviceaccount.com"
ACCOUNT = {"email": SA, "name": f"projects/acme-analytics/serviceAccounts/{SA}"}
KEY_NAME = f"projects/acme-analytics/serviceAccounts/{SA}/keys/1b2c3d4e"
KEY = {"name": KEY_NAME, "keyType": "USER_MANAGED", "validAfterTime": "2025-03-01T10:00:00Z"}
ACTIVITY = {
    "activityType": "serviceAccountLastAuthentication",
    "fullResourceName": f"//iam.googleapis.com/projects/acme-analytics/serviceAccounts/{SA}",
    "activity": {"lastAuthenticatedTime": "2026-11-23T08:00:00Z"},
}
ROLE = {"name": "projects/acme-analytics/roles/partnerLoader", "title": "Partner loader"}
LINK = (
    "https://container.googleapis.com/v1/projects/acme-analytics/locations/us-central1/clusters/c1"
)
CLUSTER = {"name": "c1", "location": "us-central1", "selfLink": LINK, "nodePools": []}


@pytest.mark.parametrize(
    ("document", "kind"),
    [
        ([ACCOUNT], ListingKind.SERVICE_ACCOUNTS),
        (ACCOUNT, ListingKind.SERVICE_ACCOUNTS),
        ([KEY], ListingKind.KEYS),
        ([ACTIVITY], ListingKind.ACTIVITIES),
        (ROLE, ListingKind.CUSTOM_ROLES),
        ([ROLE], ListingKind.CUSTOM_ROLES),
        (CLUSTER, ListingKind.CLUSTERS),
        ([], None),
        ({"name": "roles/editor", "title": "Editor"}, None),
        ({"bindings": []}, None),
        ("text", None),
    ],
)
def test_listing_kind_is_told_by_shape(document: Any, kind: ListingKind | None) -> None:
    """Lists and described objects of each command are recognised; other JSON and [] are not."""
    assert listing_kind(document) is kind


def test_service_account_email_is_lower_cased_and_project_comes_from_the_name() -> None:
    """An account's address is case-insensitive; its project is the one in its name."""
    account = parse_service_account({**ACCOUNT, "email": SA.upper(), "disabled": True}, (0,))
    assert account.email == SA
    assert account.project_id == "acme-analytics"
    assert account.disabled is True
    assert account.display_name is None


def test_any_project_name_falls_back_to_project_id_then_the_address() -> None:
    """`projects/-/…` names take the project from projectId, else from the account's domain."""
    name = f"projects/-/serviceAccounts/{SA}"
    assert parse_service_account({"email": SA, "name": name}, ()).project_id == "acme-analytics"
    with_id = {"email": SA, "name": name, "projectId": "other-project"}
    assert parse_service_account(with_id, ()).project_id == "other-project"
    compute = "204517663901-compute@developer.gserviceaccount.com"
    with pytest.raises(ListingFormatError, match="cannot tell the project"):
        parse_service_account(
            {"email": compute, "name": f"projects/-/serviceAccounts/{compute}"}, ()
        )


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"name": ACCOUNT["name"]}, "[2]", "email is missing"),
        ({**ACCOUNT, "disabled": "yes"}, "[2].disabled", "true or false"),
        ({**ACCOUNT, "name": f"projects/p/serviceAccounts/other@{SA}"}, "[2].name", "not etl@"),
        ("etl", "[2]", "a service account"),
    ],
)
def test_service_account_errors_name_the_field(raw: Any, field: str, message: str) -> None:
    """A malformed account names its index and field."""
    with pytest.raises(ListingFormatError, match=message) as caught:
        parse_service_account(raw, (2,))
    assert str(caught.value).startswith(f"{field}: ")


def test_key_times_are_normalised_and_never_expiring_keys_have_no_expiry() -> None:
    """Nanosecond times become whole-second UTC; the year-9999 expiry means none."""
    key = parse_key({**KEY, "validBeforeTime": "9999-12-31T23:59:59Z"}, ())
    assert (key.key_id, key.created_at, key.expires_at) == (
        "1b2c3d4e",
        "2025-03-01T10:00:00Z",
        None,
    )
    assert key.user_managed
    later = parse_key({**KEY, "validAfterTime": "2026-10-01T12:00:00.123456789+02:00"}, ())
    assert later.created_at == "2026-10-01T10:00:00Z"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {**KEY, "keyType": "USER"},
            r"^\[0\]\.keyType: 'USER' is not USER_MANAGED or SYSTEM_MANAGED",
        ),
        ({k: v for k, v in KEY.items() if k != "keyType"}, "keyType is missing"),
        (
            {**KEY, "validAfterTime": "yesterday"},
            r"^\[0\]\.validAfterTime: 'yesterday' is not an RFC 3339",
        ),
        ({**KEY, "validAfterTime": "2025-03-01T10:00:00"}, "is not an RFC 3339"),
    ],
)
def test_key_errors_name_the_field(raw: dict[str, Any], message: str) -> None:
    """keyType must be one of the two types and times must carry a zone."""
    with pytest.raises(ListingFormatError, match=message):
        parse_key(raw, (0,))


def test_activity_names_the_account_or_key_and_its_observation_end() -> None:
    """An activity yields the account (or key), its last authentication and the data's end."""
    activity = parse_activity(
        {**ACTIVITY, "observationPeriod": {"endTime": "2026-11-24T08:00:00Z"}}, ()
    )
    assert (activity.email, activity.key_id, activity.project) == (SA, None, "acme-analytics")
    assert activity.observed_until == "2026-11-24T08:00:00Z"
    key_activity = parse_activity(
        {
            **ACTIVITY,
            "activityType": "serviceAccountKeyLastAuthentication",
            "fullResourceName": ACTIVITY["fullResourceName"] + "/keys/1b2c3d4e",
        },
        (),
    )
    assert key_activity.key_id == "1b2c3d4e"


def test_activity_type_and_resource_must_agree() -> None:
    """A key activity naming an account (or the reverse) is malformed, not silently dropped."""
    raw = {**ACTIVITY, "activityType": "serviceAccountKeyLastAuthentication"}
    with pytest.raises(ListingFormatError, match=r"^\[4\]\.fullResourceName: .*keys/KEY_ID"):
        parse_activity(raw, (4,))
    with pytest.raises(ListingFormatError, match="lastAuthenticatedTime is missing"):
        parse_activity({**ACTIVITY, "activity": {}}, ())


def test_role_permissions_are_sorted_unique_or_unknown() -> None:
    """Described roles carry sorted permissions; listed ones (no includedPermissions) carry None."""
    described = parse_custom_role(
        {
            **ROLE,
            "includedPermissions": [
                "storage.objects.get",
                "bigquery.jobs.create",
                "storage.objects.get",
            ],
        },
        (),
    )
    assert described.permissions == ("bigquery.jobs.create", "storage.objects.get")
    assert parse_custom_role(ROLE, ()).permissions is None
    org = parse_custom_role({**ROLE, "name": "organizations/123/roles/x", "deleted": True}, ())
    assert (org.scope, org.scope_type, org.deleted) == ("organizations/123", "organization", True)


def test_predefined_roles_and_unknown_stages_are_errors() -> None:
    """Only custom roles are read, and stage must be one the API uses."""
    with pytest.raises(ListingFormatError, match="not a custom role"):
        parse_custom_role({"name": "roles/editor"}, (1,))
    with pytest.raises(ListingFormatError, match=r"^stage: 'LIVE' is not one of"):
        parse_custom_role({**ROLE, "stage": "LIVE"}, ())


def pool(**config: Any) -> dict[str, Any]:
    """A node pool named p with the given config."""
    return {"name": "p", "config": config}


@pytest.mark.parametrize(
    ("config", "account", "default", "mode"),
    [
        ({}, "default", True, None),
        ({"serviceAccount": "default"}, "default", True, None),
        (
            {"serviceAccount": "1-compute@developer.gserviceaccount.com"},
            "1-compute@developer.gserviceaccount.com",
            True,
            None,
        ),
        (
            {"serviceAccount": "Nodes@P1.iam.gserviceaccount.com"},
            "nodes@p1.iam.gserviceaccount.com",
            False,
            None,
        ),
        ({"workloadMetadataConfig": {"mode": "GKE_METADATA"}}, "default", True, "GKE_METADATA"),
        (
            {"workloadMetadataConfig": {"nodeMetadata": "GKE_METADATA_SERVER"}},
            "default",
            True,
            "GKE_METADATA",
        ),
        ({"workloadMetadataConfig": {"nodeMetadata": "EXPOSE"}}, "default", True, "GCE_METADATA"),
        ({"workloadMetadataConfig": {"mode": "MODE_UNSPECIFIED"}}, "default", True, None),
    ],
)
def test_node_pool_identity(
    config: dict[str, Any], account: str, default: bool, mode: str | None
) -> None:
    """'default' or an absent account is the Compute default; legacy metadata values map across."""
    [parsed] = parse_cluster({**CLUSTER, "nodePools": [pool(**config)]}, ()).node_pools
    assert (parsed.service_account, parsed.uses_default_compute_sa, parsed.metadata_mode) == (
        account,
        default,
        mode,
    )


def test_autopilot_runs_the_gke_metadata_server_and_shielded_nodes() -> None:
    """Autopilot enforces the metadata server and shielded nodes even when not reported."""
    cluster = parse_cluster({**CLUSTER, "autopilot": {"enabled": True}, "nodePools": [pool()]}, ())
    assert cluster.node_pools[0].metadata_mode == "GKE_METADATA"
    assert cluster.facts()["shielded_nodes_enabled"] is True


@pytest.mark.parametrize(
    ("extra", "private_endpoint", "networks", "cidrs"),
    [
        ({}, False, False, []),
        ({"privateClusterConfig": {"enablePrivateEndpoint": True}}, True, False, []),
        (
            {
                "masterAuthorizedNetworksConfig": {
                    "enabled": True,
                    "cidrBlocks": [{"cidrBlock": "10.0.0.0/8"}],
                }
            },
            False,
            True,
            ["10.0.0.0/8"],
        ),
        (
            {"controlPlaneEndpointsConfig": {"ipEndpointsConfig": {"enabled": False}}},
            True,
            False,
            [],
        ),
        (
            {
                "controlPlaneEndpointsConfig": {
                    "ipEndpointsConfig": {
                        "enablePublicEndpoint": True,
                        "authorizedNetworksConfig": {
                            "enabled": True,
                            "cidrBlocks": [{"cidrBlock": "0.0.0.0/0"}],
                        },
                    }
                }
            },
            False,
            True,
            ["0.0.0.0/0"],
        ),
    ],
)
def test_control_plane_exposure_from_either_api_shape(
    extra: dict[str, Any], private_endpoint: bool, networks: bool, cidrs: list[str]
) -> None:
    """Private endpoint and authorized networks read from the old and the new endpoint config."""
    facts = parse_cluster({**CLUSTER, **extra}, ()).facts()
    assert facts["private_endpoint"] is private_endpoint
    assert facts["master_authorized_networks_enabled"] is networks
    assert facts["master_authorized_cidrs"] == cidrs


@pytest.mark.parametrize(
    ("extra", "provider"),
    [
        ({}, None),
        ({"networkConfig": {"datapathProvider": "ADVANCED_DATAPATH"}}, "ADVANCED_DATAPATH"),
        ({"networkPolicy": {"enabled": True, "provider": "CALICO"}}, "CALICO"),
        ({"networkPolicy": {"provider": "CALICO"}}, None),
        ({"addonsConfig": {"networkPolicyConfig": {}}}, None),
    ],
)
def test_network_policy_is_enforced_by_dataplane_v2_or_calico(
    extra: dict[str, Any], provider: str | None
) -> None:
    """Only an enforcing dataplane counts; an installed add-on without enforcement does not."""
    facts = parse_cluster({**CLUSTER, **extra}, ()).facts()
    assert facts["network_policy_provider"] == provider
    assert facts["network_policy_enabled"] is (provider is not None)


def test_zonal_self_link_gives_project_and_zone() -> None:
    """Clusters created by zone have a …/zones/ZONE/… self link."""
    link = "https://container.googleapis.com/v1/projects/acme-analytics/zones/us-central1-a/clusters/c1"
    cluster = parse_cluster({"name": "c1", "selfLink": link, "nodePools": []}, ())
    assert cluster.id == "projects/acme-analytics/locations/us-central1-a/clusters/c1"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"name": "c1", "nodePools": []}, "selfLink is missing"),
        (
            {**CLUSTER, "selfLink": LINK.replace("/c1", "/c2")},
            r"^selfLink: expected …/projects/PROJECT",
        ),
        ({**CLUSTER, "nodePools": [{"config": {}}]}, r"^nodePools\[0\]: name is missing"),
        (
            {**CLUSTER, "nodePools": [pool(oauthScopes="cloud-platform")]},
            r"^nodePools\[0\]\.config\.oauthScopes: must be a list",
        ),
        ({**CLUSTER, "resourceLabels": {"team": 3}}, r"^resourceLabels\.team: label values"),
    ],
)
def test_cluster_errors_name_the_field(raw: dict[str, Any], message: str) -> None:
    """A malformed cluster names the field, down to the node pool."""
    with pytest.raises(ListingFormatError, match=message):
        parse_cluster(raw, ())
