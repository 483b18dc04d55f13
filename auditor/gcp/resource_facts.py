"""Facts of data-platform resources from Cloud Asset Inventory's resource search results:
BigQuery datasets and tables, buckets, Pub/Sub topics and subscriptions, Cloud Functions,
Dataflow jobs and Bigtable instances, one kind each (docs/resource-kinds/gcp.md).

Pure functions over parsed results plus a `FactContext` that answers the cross-resource
questions (which project, is it PII, what roles its service account holds, who may reach
it publicly), so a Terraform plan loader can build the same kinds from its own dicts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from auditor.gcp.asset_results import AssetResource, relative_name
from auditor.gcp.members import parse_member
from auditor.gcp.roles import parse_role

DATASET_KIND = "gcp.bigquery_dataset"
TABLE_KIND = "gcp.bigquery_table"
BUCKET_KIND = "gcp.storage_bucket"
TOPIC_KIND = "gcp.pubsub_topic"
SUBSCRIPTION_CONFIG_KIND = "gcp.pubsub_subscription"
FUNCTION_KIND = "gcp.cloud_function"
DATAFLOW_JOB_KIND = "gcp.dataflow_job"
BIGTABLE_INSTANCE_KIND = "gcp.bigtable_instance"

DATASET_ASSET = "bigquery.googleapis.com/Dataset"
TABLE_ASSET = "bigquery.googleapis.com/Table"
BUCKET_ASSET = "storage.googleapis.com/Bucket"
TOPIC_ASSET = "pubsub.googleapis.com/Topic"
SUBSCRIPTION_ASSET = "pubsub.googleapis.com/Subscription"
FUNCTION_V1_ASSET = "cloudfunctions.googleapis.com/CloudFunction"
FUNCTION_V2_ASSET = "cloudfunctions.googleapis.com/Function"
DATAFLOW_JOB_ASSET = "dataflow.googleapis.com/Job"
BIGTABLE_INSTANCE_ASSET = "bigtableadmin.googleapis.com/Instance"

# Roles that let a caller invoke a function (gen 2 functions are Cloud Run services).
INVOKER_ROLES = frozenset({"roles/cloudfunctions.invoker", "roles/run.invoker"})
_DURATION = re.compile(r"^(?P<seconds>[0-9]+)(?:\.[0-9]+)?s$")
# Dataflow jobs that no longer run hold no credentials worth judging.
_FINISHED_JOB_STATES = frozenset(
    {
        "JOB_STATE_DONE",
        "JOB_STATE_FAILED",
        "JOB_STATE_CANCELLED",
        "JOB_STATE_UPDATED",
        "JOB_STATE_DRAINED",
    }
)


_IDENTITY_FIELDS = (
    "service_account_email",
    "uses_default_service_account",
    "service_account_roles",
    "service_account_basic_roles",
    "service_account_privileged_roles",
)


class FactContext(Protocol):
    """Cross-resource answers the facts need (computed once per normalisation)."""

    def project_id(self, resource: AssetResource) -> str | None:
        """The project id the resource lives in, when known."""
        ...

    def pii_source(self, resource: AssetResource, parent: str | None) -> str | None:
        """The name whose labels mark the resource as PII: itself, `parent`, its project."""
        ...

    def account_roles(self, email: str | None) -> list[str] | None:
        """Sorted roles the service account holds in the policies read; None when unknown."""
        ...

    def public_grants(self, name: str) -> list[tuple[str, str]]:
        """(member, role) of the public members granted anything on `name`, sorted."""
        ...


@dataclass(frozen=True, slots=True)
class Fact:
    """A resource made from one search result."""

    kind: str
    id: str
    scope: str
    data: dict[str, Any]


def whole_number(value: Any) -> int | None:
    """An integer field; the live API's Struct carries every number as a double (10.0)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def duration_seconds(value: Any) -> int | None:
    """'604800s' (a protobuf Duration in JSON) or '2592000' (seconds as text) → 604800."""
    number = whole_number(value)
    if number is not None:
        return number
    if not isinstance(value, str):
        return None
    found = _DURATION.match(value)
    if found:
        return int(found["seconds"])
    return int(value) if value.isdigit() else None


def _get(raw: Mapping[str, Any], *keys: str) -> Any:
    value: Any = raw
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _text(raw: Mapping[str, Any], *keys: str) -> str | None:
    value = _get(raw, *keys)
    return value if isinstance(value, str) and value else None


def _last(name: str) -> str:
    return name.rstrip("/").rsplit("/", 1)[-1]


def _segment(name: str, collection: str) -> str | None:
    parts = relative_name(name).split("/")
    for index, part in enumerate(parts[:-1]):
        if part == collection:
            return parts[index + 1]
    return None


def default_compute_account(asset: AssetResource) -> str | None:
    """NUMBER-compute@developer.gserviceaccount.com of the resource's project, if known."""
    number = asset.project.removeprefix("projects/") if asset.project else None
    return f"{number}-compute@developer.gserviceaccount.com" if number else None


def _identity(
    asset: AssetResource, set_email: str | None, default: str | None, ctx: FactContext
) -> dict[str, Any]:
    """The facts of the service account a workload runs as: the one set, else the default
    one Google picks (whose email is known when the project is). All null when the search
    result carries no configuration (no versionedResources in the read mask)."""
    if not asset.has_versioned_resource:
        return dict.fromkeys(_IDENTITY_FIELDS)
    email = set_email or default
    member = parse_member(f"serviceAccount:{email}") if email else None
    roles = ctx.account_roles(email) if email else None
    basic = None if roles is None else [r for r in roles if parse_role(r).role_type == "basic"]
    privileged = (
        None
        if roles is None
        else [
            r for r in roles if r in ("roles/owner", "roles/editor") or parse_role(r).is_admin_role
        ]
    )
    return {
        "service_account_email": email,
        "uses_default_service_account": set_email is None
        or (member is not None and (member.is_default_compute_sa or member.is_default_appspot_sa)),
        "service_account_roles": roles,
        "service_account_basic_roles": basic,
        "service_account_privileged_roles": privileged,
    }


def _common(asset: AssetResource, ctx: FactContext, parent: str | None = None) -> dict[str, Any]:
    source = ctx.pii_source(asset, parent)
    return {
        "name": asset.name,
        "asset_type": asset.asset_type,
        "project_id": ctx.project_id(asset),
        "location": asset.location or _text(asset.resource, "location"),
        "labels": dict(sorted(asset.labels.items())),
        "pii": source is not None,
        "pii_source": source,
    }


def _scope(data: Mapping[str, Any], asset: AssetResource) -> str:
    project = data["project_id"]
    return f"projects/{project}" if project else asset.name


def _public_members(name: str, ctx: FactContext) -> list[str]:
    return sorted({member for member, _ in ctx.public_grants(name)})


def dataset(asset: AssetResource, ctx: FactContext) -> dict[str, Any]:
    """gcp.bigquery_dataset (BigQuery v2 Dataset)."""
    return {
        **_common(asset, ctx),
        "dataset_id": _last(asset.name),
        "default_kms_key": _text(asset.resource, "defaultEncryptionConfiguration", "kmsKeyName"),
        "public_members": _public_members(asset.name, ctx),
    }


def table(asset: AssetResource, ctx: FactContext) -> dict[str, Any]:
    """gcp.bigquery_table: a table is PII when it or its dataset is labelled so."""
    dataset_id = _segment(asset.name, "datasets")
    parent = asset.name.rsplit("/tables/", 1)[0] if "/tables/" in asset.name else None
    return {
        **_common(asset, ctx, parent),
        "dataset_id": dataset_id,
        "table_id": _last(asset.name),
        "kms_key": _text(asset.resource, "encryptionConfiguration", "kmsKeyName"),
        "public_members": _public_members(asset.name, ctx),
    }


def bucket(asset: AssetResource, ctx: FactContext) -> dict[str, Any]:
    """gcp.storage_bucket (Cloud Storage JSON API v1 Bucket)."""
    raw = asset.resource
    uniform = _get(raw, "iamConfiguration", "uniformBucketLevelAccess", "enabled")
    prevention = _text(raw, "iamConfiguration", "publicAccessPrevention")
    return {
        **_common(asset, ctx),
        "bucket": _last(asset.name),
        "uniform_bucket_level_access": bool(uniform) if asset.has_versioned_resource else None,
        "public_access_prevention": prevention.lower() if prevention else None,
        "retention_period_seconds": duration_seconds(
            _get(raw, "retentionPolicy", "retentionPeriod")
        ),
        "retention_locked": bool(_get(raw, "retentionPolicy", "isLocked")),
        "versioning_enabled": bool(_get(raw, "versioning", "enabled")),
        "default_kms_key": _text(raw, "encryption", "defaultKmsKeyName"),
        "public_members": _public_members(asset.name, ctx),
    }


def topic(asset: AssetResource, ctx: FactContext) -> dict[str, Any]:
    """gcp.pubsub_topic (Pub/Sub v1 Topic)."""
    raw = asset.resource
    regions = _get(raw, "messageStoragePolicy", "allowedPersistenceRegions")
    return {
        **_common(asset, ctx),
        "topic_id": _last(asset.name),
        "message_retention_seconds": duration_seconds(raw.get("messageRetentionDuration")),
        "kms_key": _text(raw, "kmsKeyName"),
        "allowed_persistence_regions": sorted(regions) if isinstance(regions, list) else None,
        "public_members": _public_members(asset.name, ctx),
    }


def subscription(asset: AssetResource, ctx: FactContext) -> dict[str, Any]:
    """gcp.pubsub_subscription (Pub/Sub v1 Subscription): PII when it or its topic is."""
    raw = asset.resource
    topic_name = _text(raw, "topic")
    parent = f"//pubsub.googleapis.com/{topic_name}" if topic_name else None
    attempts = _get(raw, "deadLetterPolicy", "maxDeliveryAttempts")
    dead_letter = _text(raw, "deadLetterPolicy", "deadLetterTopic")
    return {
        **_common(asset, ctx, parent),
        "subscription_id": _last(asset.name),
        "topic": topic_name,
        "config_known": asset.has_versioned_resource,
        "dead_letter_topic": dead_letter,
        # The API's default when a dead-letter topic is set without a count.
        "max_delivery_attempts": (whole_number(attempts) or 5) if dead_letter else None,
        "message_retention_seconds": duration_seconds(raw.get("messageRetentionDuration")),
        "ack_deadline_seconds": whole_number(raw.get("ackDeadlineSeconds")),
        "retain_acked_messages": bool(raw.get("retainAckedMessages")),
        "push_endpoint": _text(raw, "pushConfig", "pushEndpoint"),
        "public_members": _public_members(asset.name, ctx),
    }


def _default_function_account(asset: AssetResource, ctx: FactContext) -> str | None:
    """Gen 1 functions run as PROJECT_ID@appspot.gserviceaccount.com by default, gen 2
    (Cloud Run) as the Compute Engine default account."""
    if asset.asset_type == FUNCTION_V2_ASSET:
        return default_compute_account(asset)
    project_id = ctx.project_id(asset)
    return f"{project_id}@appspot.gserviceaccount.com" if project_id else None


def function(asset: AssetResource, ctx: FactContext) -> dict[str, Any]:
    """gcp.cloud_function: gen 1 (v1 CloudFunction) and gen 2 (v2 Function) alike."""
    raw = asset.resource
    gen2 = asset.asset_type == FUNCTION_V2_ASSET
    config: Mapping[str, Any] = _get(raw, "serviceConfig") or {} if gen2 else raw
    grants = ctx.public_grants(asset.name)
    return {
        **_common(asset, ctx),
        "function_id": _last(asset.name),
        "generation": 2 if gen2 else 1,
        "runtime": _text(raw, "buildConfig", "runtime") if gen2 else _text(raw, "runtime"),
        "state": _text(raw, "state" if gen2 else "status") or asset.state,
        # The API's default when the field is unset.
        "ingress_settings": (_text(config, "ingressSettings") or "ALLOW_ALL")
        if asset.has_versioned_resource
        else None,
        "vpc_connector": _text(config, "vpcConnector"),
        "vpc_connector_egress_settings": _text(config, "vpcConnectorEgressSettings"),
        "allows_unauthenticated": any(role in INVOKER_ROLES for _, role in grants),
        "public_members": sorted({member for member, _ in grants}),
        **_identity(
            asset, _text(config, "serviceAccountEmail"), _default_function_account(asset, ctx), ctx
        ),
    }


def dataflow_job(asset: AssetResource, ctx: FactContext) -> dict[str, Any]:
    """gcp.dataflow_job (Dataflow v1b3 Job): workers run as environment.serviceAccountEmail,
    or as the Compute Engine default account when it is unset."""
    raw = asset.resource
    state = _text(raw, "currentState") or asset.state
    return {
        **_common(asset, ctx),
        "job_id": _text(raw, "id") or _last(asset.name),
        "job_name": _text(raw, "name") or asset.display_name,
        "type": _text(raw, "type"),
        "state": state,
        "running": state not in _FINISHED_JOB_STATES if state else None,
        **_identity(
            asset,
            _text(raw, "environment", "serviceAccountEmail"),
            default_compute_account(asset),
            ctx,
        ),
    }


def bigtable_instance(asset: AssetResource, ctx: FactContext) -> dict[str, Any]:
    """gcp.bigtable_instance (Bigtable Admin v2 Instance)."""
    raw = asset.resource
    return {
        **_common(asset, ctx),
        "instance_id": _last(asset.name),
        "display_name": _text(raw, "displayName") or asset.display_name,
        "type": _text(raw, "type"),
        "state": _text(raw, "state") or asset.state,
        "public_members": _public_members(asset.name, ctx),
    }


BUILDERS: dict[str, tuple[str, Callable[[AssetResource, FactContext], dict[str, Any]]]] = {
    DATASET_ASSET: (DATASET_KIND, dataset),
    TABLE_ASSET: (TABLE_KIND, table),
    BUCKET_ASSET: (BUCKET_KIND, bucket),
    TOPIC_ASSET: (TOPIC_KIND, topic),
    SUBSCRIPTION_ASSET: (SUBSCRIPTION_CONFIG_KIND, subscription),
    FUNCTION_V1_ASSET: (FUNCTION_KIND, function),
    FUNCTION_V2_ASSET: (FUNCTION_KIND, function),
    DATAFLOW_JOB_ASSET: (DATAFLOW_JOB_KIND, dataflow_job),
    BIGTABLE_INSTANCE_ASSET: (BIGTABLE_INSTANCE_KIND, bigtable_instance),
}
FACT_KINDS = tuple(sorted({kind for kind, _ in BUILDERS.values()}))


def resource_fact(asset: AssetResource, ctx: FactContext) -> Fact | None:
    """The resource a search result becomes; None for asset types without a kind."""
    found = BUILDERS.get(asset.asset_type)
    if found is None:
        return None
    kind, build = found
    data = build(asset, ctx)
    return Fact(kind, asset.name, _scope(data, asset), data)
