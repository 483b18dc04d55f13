"""The acme data platform as Cloud Asset Inventory sees it: IAM policies and resources in the
JSON `gcloud asset search-all-iam-policies` / `search-all-resources --read-mask='*'` print.

PII datasets (one shared with a gmail.com account, one table readable by every Google
account), a public bucket without uniform access, a function anyone may invoke, a Dataflow
job on the default compute account, a subscription without dead-lettering, and a contractor
who can mint tokens for a service account holding Editor. The demo estate's
assets.*.json files are this seed, written out (`python -m tests.fakes.gcp.asset_seed DIR`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ORG = "organizations/123456789012"
PROD = "481516234201"
STAGING = "310000000001"
PROD_FOLDERS = ["folders/555000111222", "folders/987654321098"]
STAGING_FOLDERS = ["folders/987654321098"]
PII = {"data-classification": "pii", "env": "prod"}
SA = "@acme-data-prod.iam.gserviceaccount.com"
COMPUTE_SA = f"{PROD}-compute@developer.gserviceaccount.com"


def _where(number: str) -> dict[str, Any]:
    folders = PROD_FOLDERS if number == PROD else STAGING_FOLDERS
    return {"project": f"projects/{number}", "folders": list(folders), "organization": ORG}


def _policy(
    resource: str, asset_type: str, number: str, *bindings: dict[str, Any]
) -> dict[str, Any]:
    return {
        "resource": resource,
        "assetType": asset_type,
        **_where(number),
        "policy": {"bindings": list(bindings)},
    }


def _grant(role: str, *members: str) -> dict[str, Any]:
    return {"role": role, "members": list(members)}


def _resource(
    name: str,
    asset_type: str,
    number: str,
    version: str,
    resource: dict[str, Any],
    **extra: Any,
) -> dict[str, Any]:
    found = {
        "name": name,
        "assetType": asset_type,
        **_where(number),
        "displayName": extra.pop("displayName", name.rsplit("/", 1)[-1]),
        **extra,
        "versionedResources": [{"version": version, "resource": resource}],
    }
    if "labels" in resource and "labels" not in found:
        found["labels"] = resource["labels"]
    return found


BQ = "//bigquery.googleapis.com/projects/acme-data-prod/datasets"
GCS = "//storage.googleapis.com"
PUBSUB = "//pubsub.googleapis.com/projects/acme-data-prod"
FUNCTIONS = (
    "//cloudfunctions.googleapis.com/projects/acme-data-prod/locations/europe-west1/functions"
)
DATAFLOW = "//dataflow.googleapis.com/projects/acme-data-prod/locations/europe-west1/jobs"
IAM = "//iam.googleapis.com/projects/acme-data-prod/serviceAccounts"
CDC_ID = "104298374659182736401"
RUNNER_ID = "104298374659182736455"


def iam_policies() -> list[dict[str, Any]]:
    """Every allow policy in the organization that CAI returns (projects included)."""
    project = "cloudresourcemanager.googleapis.com/Project"
    return [
        _policy(
            f"//cloudresourcemanager.googleapis.com/projects/{PROD}",
            project,
            PROD,
            _grant(
                "roles/editor", f"serviceAccount:{COMPUTE_SA}", f"serviceAccount:cdc-connector{SA}"
            ),
            _grant("roles/iam.serviceAccountUser", "group:data-eng@acme-data.example"),
            _grant("roles/bigquery.dataViewer", f"serviceAccount:legacy-reporting{SA}"),
        ),
        _policy(
            f"//cloudresourcemanager.googleapis.com/projects/{STAGING}",
            project,
            STAGING,
            _grant("roles/editor", "serviceAccount:etl@acme-data-staging.iam.gserviceaccount.com"),
        ),
        _policy(
            f"{BQ}/customers",
            "bigquery.googleapis.com/Dataset",
            PROD,
            _grant("roles/bigquery.dataOwner", f"serviceAccount:dataflow-runner{SA}"),
            _grant("roles/bigquery.dataViewer", "group:analysts@acme-data.example"),
        ),
        _policy(
            f"{BQ}/customers/tables/profiles",
            "bigquery.googleapis.com/Table",
            PROD,
            _grant("roles/bigquery.dataViewer", "allAuthenticatedUsers"),
        ),
        _policy(
            f"{BQ}/marketing_exports",
            "bigquery.googleapis.com/Dataset",
            PROD,
            _grant("roles/bigquery.dataViewer", "user:growth.hacker@gmail.com"),
        ),
        _policy(
            f"{GCS}/acme-public-reports",
            "storage.googleapis.com/Bucket",
            PROD,
            _grant("roles/storage.objectViewer", "allUsers"),
        ),
        _policy(
            f"{GCS}/acme-data-prod-landing",
            "storage.googleapis.com/Bucket",
            PROD,
            _grant("roles/storage.objectAdmin", f"serviceAccount:ingest-api{SA}"),
        ),
        _policy(
            f"{PUBSUB}/topics/customer-events",
            "pubsub.googleapis.com/Topic",
            PROD,
            _grant("roles/pubsub.publisher", f"serviceAccount:ingest-api{SA}"),
            _grant("roles/pubsub.subscriber", "domain:partner-agency.com"),
        ),
        _policy(
            f"{FUNCTIONS}/ingest-webhook",
            "cloudfunctions.googleapis.com/Function",
            PROD,
            _grant("roles/cloudfunctions.invoker", "allUsers"),
        ),
        _policy(
            f"{IAM}/{CDC_ID}",
            "iam.googleapis.com/ServiceAccount",
            PROD,
            _grant("roles/iam.serviceAccountTokenCreator", "user:dev.contractor@acme-data.example"),
            _grant(
                "roles/iam.workloadIdentityUser",
                "serviceAccount:acme-data-prod.svc.id.goog[cdc/cdc-connector]",
            ),
        ),
        _policy(
            f"{IAM}/{RUNNER_ID}",
            "iam.googleapis.com/ServiceAccount",
            PROD,
            _grant(
                "roles/iam.serviceAccountUser",
                "serviceAccount:service-481516234201@cloudcomposer-accounts.iam.gserviceaccount.com",
            ),
        ),
        _policy(
            "//bigtableadmin.googleapis.com/projects/acme-data-prod/instances/profiles-serving",
            "bigtableadmin.googleapis.com/Instance",
            PROD,
            _grant("roles/bigtable.reader", "group:analysts@acme-data.example"),
        ),
    ]


def _account(unique_id: str, name: str) -> dict[str, Any]:
    email = f"{name}{SA}"
    return _resource(
        f"{IAM}/{unique_id}",
        "iam.googleapis.com/ServiceAccount",
        PROD,
        "v1",
        {"email": email, "uniqueId": unique_id, "projectId": "acme-data-prod"},
        displayName=name,
        additionalAttributes={"email": email},
        location="global",
    )


def resources() -> list[dict[str, Any]]:
    """Every resource of the types auditor reads, with its versioned resource."""
    project = "cloudresourcemanager.googleapis.com/Project"
    return [
        _resource(
            f"//cloudresourcemanager.googleapis.com/projects/{PROD}",
            project,
            PROD,
            "v3",
            {"projectId": "acme-data-prod", "labels": PII},
            displayName="acme-data-prod",
            additionalAttributes={"projectId": "acme-data-prod"},
            state="ACTIVE",
        ),
        _resource(
            f"//cloudresourcemanager.googleapis.com/projects/{STAGING}",
            project,
            STAGING,
            "v3",
            {
                "projectId": "acme-data-staging",
                "labels": {"data-classification": "internal", "env": "staging"},
            },
            displayName="acme-data-staging",
            additionalAttributes={"projectId": "acme-data-staging"},
            state="ACTIVE",
        ),
        _resource(
            f"{BQ}/customers",
            "bigquery.googleapis.com/Dataset",
            PROD,
            "v2",
            {
                "datasetReference": {"projectId": "acme-data-prod", "datasetId": "customers"},
                "location": "EU",
                "labels": {"data-classification": "pii", "owner": "crm"},
                "defaultEncryptionConfiguration": {
                    "kmsKeyName": "projects/acme-kms/locations/eu/keyRings/data/cryptoKeys/bq"
                },
            },
            location="eu",
        ),
        _resource(
            f"{BQ}/customers/tables/profiles",
            "bigquery.googleapis.com/Table",
            PROD,
            "v2",
            {
                "tableReference": {
                    "projectId": "acme-data-prod",
                    "datasetId": "customers",
                    "tableId": "profiles",
                },
                "location": "EU",
                "encryptionConfiguration": {
                    "kmsKeyName": "projects/acme-kms/locations/eu/keyRings/data/cryptoKeys/bq"
                },
            },
            location="eu",
        ),
        _resource(
            f"{BQ}/marketing_exports",
            "bigquery.googleapis.com/Dataset",
            PROD,
            "v2",
            {
                "datasetReference": {
                    "projectId": "acme-data-prod",
                    "datasetId": "marketing_exports",
                },
                "location": "US",
                "labels": {"data-classification": "pii", "owner": "growth"},
            },
            location="us",
        ),
        _resource(
            "//bigquery.googleapis.com/projects/acme-data-staging/datasets/analytics_scratch",
            "bigquery.googleapis.com/Dataset",
            STAGING,
            "v2",
            {"location": "europe-west1", "labels": {"data-classification": "internal"}},
            location="europe-west1",
        ),
        _resource(
            f"{GCS}/acme-data-prod-landing",
            "storage.googleapis.com/Bucket",
            PROD,
            "v1",
            {
                "name": "acme-data-prod-landing",
                "location": "EUROPE-WEST1",
                "storageClass": "STANDARD",
                "labels": {"data-classification": "pii"},
                "iamConfiguration": {
                    "uniformBucketLevelAccess": {"enabled": True},
                    "publicAccessPrevention": "enforced",
                },
                "retentionPolicy": {"retentionPeriod": "2592000", "isLocked": True},
                "versioning": {"enabled": True},
                "encryption": {
                    "defaultKmsKeyName": "projects/acme-kms/locations/europe-west1/keyRings/data/cryptoKeys/gcs"
                },
            },
            location="europe-west1",
            parentFullResourceName="//cloudresourcemanager.googleapis.com/projects/acme-data-prod",
        ),
        _resource(
            f"{GCS}/acme-public-reports",
            "storage.googleapis.com/Bucket",
            PROD,
            "v1",
            {
                "name": "acme-public-reports",
                "location": "EU",
                "labels": {"data-classification": "public"},
                "iamConfiguration": {
                    "uniformBucketLevelAccess": {"enabled": False},
                    "publicAccessPrevention": "inherited",
                },
            },
            location="eu",
            parentFullResourceName="//cloudresourcemanager.googleapis.com/projects/acme-data-prod",
        ),
        _resource(
            f"{PUBSUB}/topics/customer-events",
            "pubsub.googleapis.com/Topic",
            PROD,
            "v1",
            {
                "name": "projects/acme-data-prod/topics/customer-events",
                "labels": {"data-classification": "pii"},
                "messageRetentionDuration": "604800s",
                "kmsKeyName": "projects/acme-kms/locations/europe-west1/keyRings/data/cryptoKeys/pubsub",
                "messageStoragePolicy": {"allowedPersistenceRegions": ["europe-west1"]},
            },
            location="global",
        ),
        _resource(
            f"{PUBSUB}/subscriptions/customer-events-bq",
            "pubsub.googleapis.com/Subscription",
            PROD,
            "v1",
            {
                "name": "projects/acme-data-prod/subscriptions/customer-events-bq",
                "topic": "projects/acme-data-prod/topics/customer-events",
                "ackDeadlineSeconds": 60,
                "messageRetentionDuration": "604800s",
                "deadLetterPolicy": {
                    "deadLetterTopic": "projects/acme-data-prod/topics/customer-events-dlq",
                    "maxDeliveryAttempts": 10,
                },
            },
            location="global",
        ),
        _resource(
            f"{PUBSUB}/subscriptions/customer-events-audit",
            "pubsub.googleapis.com/Subscription",
            PROD,
            "v1",
            {
                "name": "projects/acme-data-prod/subscriptions/customer-events-audit",
                "topic": "projects/acme-data-prod/topics/customer-events",
                "ackDeadlineSeconds": 10,
                "messageRetentionDuration": "86400s",
            },
            location="global",
        ),
        _resource(
            f"{FUNCTIONS}/ingest-webhook",
            "cloudfunctions.googleapis.com/Function",
            PROD,
            "v2",
            {
                "name": "projects/acme-data-prod/locations/europe-west1/functions/ingest-webhook",
                "environment": "GEN_2",
                "state": "ACTIVE",
                "buildConfig": {"runtime": "python312", "entryPoint": "handle"},
                "serviceConfig": {
                    "ingressSettings": "ALLOW_ALL",
                    "serviceAccountEmail": f"ingest-api{SA}",
                    "allTrafficOnLatestRevision": True,
                },
                "labels": {"team": "ingest"},
            },
            location="europe-west1",
        ),
        _resource(
            f"{FUNCTIONS}/pii-export",
            "cloudfunctions.googleapis.com/CloudFunction",
            PROD,
            "v1",
            {
                "name": "projects/acme-data-prod/locations/europe-west1/functions/pii-export",
                "status": "ACTIVE",
                "runtime": "python311",
                "ingressSettings": "ALLOW_INTERNAL_ONLY",
                "vpcConnector": "projects/acme-data-prod/locations/europe-west1/connectors/data",
                "vpcConnectorEgressSettings": "PRIVATE_RANGES_ONLY",
                "eventTrigger": {"eventType": "google.pubsub.topic.publish"},
            },
            location="europe-west1",
        ),
        _resource(
            f"{DATAFLOW}/2026-11-20_03_00_00-118",
            "dataflow.googleapis.com/Job",
            PROD,
            "v1b3",
            {
                "id": "2026-11-20_03_00_00-118",
                "name": "cdc-to-bigquery",
                "type": "JOB_TYPE_STREAMING",
                "currentState": "JOB_STATE_RUNNING",
                "location": "europe-west1",
                "environment": {},
            },
            displayName="cdc-to-bigquery",
            location="europe-west1",
        ),
        _resource(
            f"{DATAFLOW}/2026-11-26_01_00_00-442",
            "dataflow.googleapis.com/Job",
            PROD,
            "v1b3",
            {
                "id": "2026-11-26_01_00_00-442",
                "name": "nightly-aggregation",
                "type": "JOB_TYPE_BATCH",
                "currentState": "JOB_STATE_RUNNING",
                "location": "europe-west1",
                "environment": {"serviceAccountEmail": f"dataflow-runner{SA}"},
            },
            displayName="nightly-aggregation",
            location="europe-west1",
        ),
        _resource(
            "//bigtableadmin.googleapis.com/projects/acme-data-prod/instances/profiles-serving",
            "bigtableadmin.googleapis.com/Instance",
            PROD,
            "v2",
            {
                "name": "projects/acme-data-prod/instances/profiles-serving",
                "displayName": "Profiles serving",
                "state": "READY",
                "type": "PRODUCTION",
                "labels": {"data-classification": "pii"},
            },
            location="europe-west1-b",
        ),
        _account(CDC_ID, "cdc-connector"),
        _account(RUNNER_ID, "dataflow-runner"),
        _account("104298374659182736433", "ingest-api"),
    ]


def write(directory: Path) -> None:
    """Write the seed as gcloud would: assets.iam-policies.json and assets.resources.json."""
    for name, items in (("iam-policies", iam_policies()), ("resources", resources())):
        text = json.dumps(items, indent=2, sort_keys=False) + "\n"
        (directory / f"assets.{name}.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1]))
