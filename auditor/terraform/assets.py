"""The data platform's resources in a Terraform plan — datasets, tables, buckets, topics,
subscriptions, functions, Dataflow jobs, Bigtable instances, service accounts — and the IAM
set on each, as the Cloud Asset Inventory search results the shared normaliser reads
(auditor.gcp.assets): a plan's bucket and a live bucket become the same gcp.storage_bucket,
its `google_storage_bucket_iam_member` the same resource-level gcp.iam_binding.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.gcp.asset_context import SERVICE_ACCOUNT_ASSET, KnownProject
from auditor.gcp.asset_results import PROJECT_ASSET, AssetPolicy, AssetResource
from auditor.gcp.iam import PolicySnapshot
from auditor.gcp.policy import FieldPath
from auditor.gcp.resource_facts import (
    BIGTABLE_INSTANCE_ASSET,
    BUCKET_ASSET,
    DATAFLOW_JOB_ASSET,
    DATASET_ASSET,
    FUNCTION_V1_ASSET,
    FUNCTION_V2_ASSET,
    SUBSCRIPTION_ASSET,
    TABLE_ASSET,
    TOPIC_ASSET,
)
from auditor.model import Location
from auditor.terraform.plan import NotJudged, Plan, PlannedResource, grant_condition, policy_data
from auditor.terraform.references import account_email, project_of, referenced

_Known = Mapping[str, PlannedResource]
_Namer = Callable[[PlannedResource, _Known], str]


def _block(resource: PlannedResource, key: str) -> Mapping[str, Any]:
    """The first block of a nested block list (`retention_policy {}` → {...}), or {}."""
    value = resource.after.get(key)
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return value[0]
    return {}


def _last(value: str | None) -> str | None:
    return value.rsplit("/", 1)[-1] if value else None


def _need(*values: str | None) -> tuple[str, ...]:
    if any(value is None for value in values):
        raise NotJudged("its name is known only after apply")
    return tuple(value for value in values if value is not None)


def _project(resource: PlannedResource, known: _Known) -> str | None:
    return project_of(resource, known)


def _dataset(r: PlannedResource, k: _Known) -> str:
    project, dataset = _need(_project(r, k), _last(r.text("dataset_id")))
    return f"//bigquery.googleapis.com/projects/{project}/datasets/{dataset}"


def _table(r: PlannedResource, k: _Known) -> str:
    project, dataset, table = _need(
        _project(r, k), _last(r.text("dataset_id")), _last(r.text("table_id"))
    )
    return f"//bigquery.googleapis.com/projects/{project}/datasets/{dataset}/tables/{table}"


def _bucket(r: PlannedResource, k: _Known) -> str:
    (bucket,) = _need(r.text("bucket") or r.text("name"))
    return f"//storage.googleapis.com/{bucket.removeprefix('b/')}"


def _pubsub(collection: str, attribute: str) -> Callable[[PlannedResource, _Known], str]:
    def name(r: PlannedResource, k: _Known) -> str:
        (value,) = _need(r.text(attribute) or r.text("name"))
        if value.startswith("projects/"):
            return f"//pubsub.googleapis.com/{value}"
        (project,) = _need(_project(r, k))
        return f"//pubsub.googleapis.com/projects/{project}/{collection}/{value}"

    return name


def _function(location_key: str) -> Callable[[PlannedResource, _Known], str]:
    def name(r: PlannedResource, k: _Known) -> str:
        project, location, function = _need(
            _project(r, k),
            r.text(location_key) or r.text("location") or r.text("region"),
            _last(r.text("cloud_function") or r.text("name")),
        )
        where = f"projects/{project}/locations/{location}"
        return f"//cloudfunctions.googleapis.com/{where}/functions/{function}"

    return name


def _bigtable(r: PlannedResource, k: _Known) -> str:
    project, instance = _need(_project(r, k), _last(r.text("instance") or r.text("name")))
    return f"//bigtableadmin.googleapis.com/projects/{project}/instances/{instance}"


def _account(r: PlannedResource, k: _Known) -> str:
    if r.type == "google_service_account":
        project, email = _need(_project(r, k), account_email(r, k))
        return f"//iam.googleapis.com/projects/{project}/serviceAccounts/{email}"
    value = r.text("service_account_id")
    if value is None:  # a planned account's `name`, known only after apply
        for reference in r.references.get("service_account_id", ()):
            target = referenced(reference, k)
            if target is not None and target.type == "google_service_account":
                return _account(target, k)
    (value,) = _need(value)
    if "/" not in value:
        raise NotJudged("service_account_id is not projects/PROJECT/serviceAccounts/EMAIL")
    return f"//iam.googleapis.com/{value}"


def _dataflow(r: PlannedResource, k: _Known) -> str:
    project, region, job = _need(_project(r, k), r.text("region"), r.text("name"))
    return f"//dataflow.googleapis.com/projects/{project}/locations/{region}/jobs/{job}"


# IAM resource type prefix → (asset type, name of the resource the policy is set on).
_IAM_TARGETS: dict[str, tuple[str, _Namer]] = {
    "google_bigquery_dataset_iam_": (DATASET_ASSET, _dataset),
    "google_bigquery_table_iam_": (TABLE_ASSET, _table),
    "google_storage_bucket_iam_": (BUCKET_ASSET, _bucket),
    "google_pubsub_topic_iam_": (TOPIC_ASSET, _pubsub("topics", "topic")),
    "google_pubsub_subscription_iam_": (
        SUBSCRIPTION_ASSET,
        _pubsub("subscriptions", "subscription"),
    ),
    "google_cloudfunctions_function_iam_": (FUNCTION_V1_ASSET, _function("region")),
    "google_cloudfunctions2_function_iam_": (FUNCTION_V2_ASSET, _function("location")),
    "google_bigtable_instance_iam_": (BIGTABLE_INSTANCE_ASSET, _bigtable),
    "google_service_account_iam_": (SERVICE_ACCOUNT_ASSET, _account),
}
_FORMS = ("member", "binding", "policy")


def _iam_target(resource: PlannedResource) -> tuple[str, _Namer] | None:
    for prefix, target in _IAM_TARGETS.items():
        if resource.type.startswith(prefix) and resource.type.removeprefix(prefix) in _FORMS:
            return target
    return None


@dataclass(slots=True)
class _ResourcePolicy:
    asset_type: str
    project: str | None
    bindings: list[dict[str, Any]] = field(default_factory=list)
    where: list[Location] = field(default_factory=list)


@dataclass(slots=True)
class PlanAssets:
    """A plan as search results, with what locates each binding and what was not judged."""

    policies: list[AssetPolicy] = field(default_factory=list)
    resources: list[AssetResource] = field(default_factory=list)
    projects: list[KnownProject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _where: dict[int, list[Location]] = field(default_factory=dict)

    def locate(self, path: FieldPath) -> Location | None:
        """(K, 'policy', 'bindings', I, …) → the address that grants binding I of policy K."""
        if len(path) < 4 or not isinstance(path[0], int) or path[2] != "bindings":
            return None
        index, where = path[3], self._where.get(path[0], [])
        return where[index] if isinstance(index, int) and index < len(where) else None


def plan_assets(
    plan: Plan,
    members_of: Callable[[PlannedResource], tuple[list[str], int]],
    scope_policies: list[PolicySnapshot],
) -> PlanAssets:
    """Resource-level policies and resource facts of `plan`; project-level policies
    (`scope_policies`) ride along so the roles of accounts are known, as in a live search."""
    known = plan.by_address()
    out = PlanAssets()
    policies: dict[str, _ResourcePolicy] = {}
    for resource in plan.resources:
        target = _iam_target(resource)
        try:
            if target is not None:
                _add_grants(resource, target, known, members_of, policies)
            else:
                made = _resource_result(resource, known)
                if made is not None:
                    out.resources.append(made)
        except NotJudged as exc:
            out.warnings.append(f"{resource.location.file}: {resource.address}: not judged: {exc}")
    for index, (name, policy) in enumerate(sorted(policies.items())):
        out._where[index] = policy.where
        out.policies.append(
            AssetPolicy(
                resource=name,
                asset_type=policy.asset_type,
                project=f"projects/{policy.project}" if policy.project else None,
                folders=(),
                organization=None,
                policy={"bindings": policy.bindings},
                where=policy.where[0] if policy.where else None,
                path=(index,),
            )
        )
    for snapshot in scope_policies:
        if snapshot.scope.startswith("projects/"):
            out.policies.append(
                AssetPolicy(
                    resource=f"//cloudresourcemanager.googleapis.com/{snapshot.scope}",
                    asset_type=PROJECT_ASSET,
                    project=snapshot.scope,
                    folders=(),
                    organization=None,
                    policy=snapshot.policy,
                    path=("scope", snapshot.scope),
                )
            )
            project_id = snapshot.scope.removeprefix("projects/")
            out.projects.append(KnownProject(project_id, project_id, dict(snapshot.labels)))
    return out


def _add_grants(
    resource: PlannedResource,
    target: tuple[str, _Namer],
    known: _Known,
    members_of: Callable[[PlannedResource], tuple[list[str], int]],
    policies: dict[str, _ResourcePolicy],
) -> None:
    asset_type, namer = target
    name = namer(resource, known)
    entry = policies.setdefault(name, _ResourcePolicy(asset_type, _project(resource, known)))
    if resource.type.endswith("_policy"):
        for declared in policy_data(resource).get("bindings", []):
            if isinstance(declared, Mapping):
                entry.bindings.append(dict(declared))
                entry.where.append(resource.location)
        return
    role = resource.text("role")
    if role is None:
        raise NotJudged("its role is known only after apply")
    members, unknown = members_of(resource)
    if unknown:
        raise NotJudged(f"{unknown} member(s) known only after apply")
    binding: dict[str, Any] = {"role": role, "members": members}
    condition = grant_condition(resource)
    if condition is not None:
        binding["condition"] = condition
    entry.bindings.append(binding)
    entry.where.append(resource.location)


def _labels(resource: PlannedResource) -> dict[str, str]:
    labels = resource.after.get("labels")
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, Mapping) else {}


def _duration(value: Any) -> str | None:
    """Terraform writes durations as '86400s' like the API, or a number of seconds."""
    if isinstance(value, int | float):
        return f"{int(value)}s"
    return value if isinstance(value, str) and value else None


def _drop_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _drop_none(v) for k, v in value.items() if v is not None and v != {}}
    return value


def _resource_result(resource: PlannedResource, known: _Known) -> AssetResource | None:
    """A ResourceSearchResult for the resource types the fact kinds judge, else None."""
    built = _FACTS.get(resource.type)
    if built is None:
        return None
    asset_type, namer, api = built
    project = _project(resource, known)
    return AssetResource(
        name=namer(resource, known),
        asset_type=asset_type,
        project=f"projects/{project}" if project else None,
        folders=(),
        organization=None,
        display_name=resource.text("display_name"),
        location=resource.text("location") or resource.text("region"),
        labels=_labels(resource),
        state=None,
        parent=None,
        attributes={"email": account_email(resource, known)}
        if resource.type == "google_service_account"
        else {},
        resource=_drop_none(api(resource)),
        has_versioned_resource=True,
        where=resource.location,
    )


def _dataset_api(r: PlannedResource) -> dict[str, Any]:
    kms = _block(r, "default_encryption_configuration").get("kms_key_name")
    return {"location": r.text("location"), "defaultEncryptionConfiguration": {"kmsKeyName": kms}}


def _table_api(r: PlannedResource) -> dict[str, Any]:
    kms = _block(r, "encryption_configuration").get("kms_key_name")
    return {"encryptionConfiguration": {"kmsKeyName": kms}}


def _bucket_api(r: PlannedResource) -> dict[str, Any]:
    retention = _block(r, "retention_policy")
    prevention = r.text("public_access_prevention")
    return {
        "location": r.text("location"),
        "iamConfiguration": {
            "uniformBucketLevelAccess": {
                "enabled": r.after.get("uniform_bucket_level_access") is True
            },
            # The API says "inherited" when the field is unset.
            "publicAccessPrevention": prevention or "inherited",
        },
        "retentionPolicy": {
            "retentionPeriod": _duration(retention.get("retention_period")),
            "isLocked": retention.get("is_locked"),
        },
        "versioning": {"enabled": _block(r, "versioning").get("enabled")},
        "encryption": {"defaultKmsKeyName": _block(r, "encryption").get("default_kms_key_name")},
    }


def _topic_api(r: PlannedResource) -> dict[str, Any]:
    regions = _block(r, "message_storage_policy").get("allowed_persistence_regions")
    return {
        "messageRetentionDuration": _duration(r.after.get("message_retention_duration")),
        "kmsKeyName": r.text("kms_key_name"),
        "messageStoragePolicy": {"allowedPersistenceRegions": regions},
    }


def _subscription_api(r: PlannedResource) -> dict[str, Any]:
    dead_letter = _block(r, "dead_letter_policy")
    topic = r.text("topic")
    project = r.text("project")
    if topic and not topic.startswith("projects/") and project:
        topic = f"projects/{project}/topics/{topic}"
    return {
        "topic": topic,
        "deadLetterPolicy": {
            "deadLetterTopic": dead_letter.get("dead_letter_topic"),
            "maxDeliveryAttempts": dead_letter.get("max_delivery_attempts"),
        },
        "messageRetentionDuration": _duration(r.after.get("message_retention_duration")),
        "ackDeadlineSeconds": r.after.get("ack_deadline_seconds"),
        "retainAckedMessages": r.after.get("retain_acked_messages"),
        "pushConfig": {"pushEndpoint": _block(r, "push_config").get("push_endpoint")},
    }


def _function_v1_api(r: PlannedResource) -> dict[str, Any]:
    return {
        "runtime": r.text("runtime"),
        "ingressSettings": r.text("ingress_settings"),
        "serviceAccountEmail": r.text("service_account_email"),
        "vpcConnector": r.text("vpc_connector"),
        "vpcConnectorEgressSettings": r.text("vpc_connector_egress_settings"),
    }


def _function_v2_api(r: PlannedResource) -> dict[str, Any]:
    service = _block(r, "service_config")
    return {
        "buildConfig": {"runtime": _block(r, "build_config").get("runtime")},
        "serviceConfig": {
            "ingressSettings": service.get("ingress_settings"),
            "serviceAccountEmail": service.get("service_account_email"),
            "vpcConnector": service.get("vpc_connector"),
            "vpcConnectorEgressSettings": service.get("vpc_connector_egress_settings"),
        },
    }


def _dataflow_api(r: PlannedResource) -> dict[str, Any]:
    return {
        "name": r.text("name"),
        "environment": {"serviceAccountEmail": r.text("service_account_email")},
    }


def _no_api(_: PlannedResource) -> dict[str, Any]:
    return {}


_FACTS: dict[str, tuple[str, _Namer, Callable[[PlannedResource], dict[str, Any]]]] = {
    "google_bigquery_dataset": (DATASET_ASSET, _dataset, _dataset_api),
    "google_bigquery_table": (TABLE_ASSET, _table, _table_api),
    "google_storage_bucket": (BUCKET_ASSET, _bucket, _bucket_api),
    "google_pubsub_topic": (TOPIC_ASSET, _pubsub("topics", "name"), _topic_api),
    "google_pubsub_subscription": (
        SUBSCRIPTION_ASSET,
        _pubsub("subscriptions", "name"),
        _subscription_api,
    ),
    "google_cloudfunctions_function": (FUNCTION_V1_ASSET, _function("region"), _function_v1_api),
    "google_cloudfunctions2_function": (
        FUNCTION_V2_ASSET,
        _function("location"),
        _function_v2_api,
    ),
    "google_dataflow_job": (DATAFLOW_JOB_ASSET, _dataflow, _dataflow_api),
    "google_dataflow_flex_template_job": (DATAFLOW_JOB_ASSET, _dataflow, _dataflow_api),
    "google_bigtable_instance": (BIGTABLE_INSTANCE_ASSET, _bigtable, _no_api),
    "google_service_account": (SERVICE_ACCOUNT_ASSET, _account, _no_api),
}
