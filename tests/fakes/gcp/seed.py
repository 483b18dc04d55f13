"""A realistic organization for the fakes: folders, projects (one delete-requested, one
labelled PII), inherited public and external grants, a conditional binding, service accounts
that are used, dormant, disabled or never used, user-managed and Google-managed keys, custom
roles, and Monitoring data — authentications, a growing and a stuck Pub/Sub backlog, a healthy
and an unhealthy Composer environment. Times are relative to `now`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.fakes.gcp.estate import FakeOrganization
from tests.fakes.gcp.series import authentications, backlog, composer_health, stamp

ORG = "123456789012"
DATA_PLATFORM = "987654321098"
INGEST = "555000111222"
SANDBOX = "700000000001"
PII = {"data-classification": "pii", "env": "prod"}

PREDEFINED = {
    "roles/viewer": [
        "resourcemanager.projects.get",
        "storage.buckets.list",
        "bigquery.tables.list",
    ],
    "roles/editor": [
        "bigquery.tables.update",
        "iam.serviceAccounts.actAs",
        "resourcemanager.projects.get",
        "storage.objects.delete",
    ],
    "roles/storage.objectViewer": ["storage.objects.get", "storage.objects.list"],
    "roles/resourcemanager.organizationAdmin": [
        "resourcemanager.organizations.getIamPolicy",
        "resourcemanager.organizations.setIamPolicy",
        "resourcemanager.projects.setIamPolicy",
    ],
    "roles/iam.serviceAccountAdmin": [
        "iam.serviceAccounts.create",
        "iam.serviceAccounts.setIamPolicy",
    ],
    "roles/iam.serviceAccountUser": ["iam.serviceAccounts.actAs", "iam.serviceAccounts.get"],
    "roles/bigquery.admin": ["bigquery.datasets.delete", "bigquery.tables.getData"],
    "roles/bigquery.dataViewer": ["bigquery.tables.getData", "bigquery.tables.list"],
    "roles/pubsub.subscriber": ["pubsub.subscriptions.consume"],
}


def _predefined(name: str, permissions: list[str]) -> dict[str, object]:
    title = name.removeprefix("roles/").replace(".", " ").title()
    return {
        "name": name,
        "title": title,
        "description": f"{title} (predefined)",
        "includedPermissions": permissions,
        "stage": "GA",
        "etag": "AA==",
    }


def acme_org(now: datetime) -> FakeOrganization:
    """The organization most integration tests read."""
    org = FakeOrganization(ORG)
    org.predefined_roles = {name: _predefined(name, perms) for name, perms in PREDEFINED.items()}
    org.policy = {
        "version": 1,
        "etag": "BwYy8hM2wQ0=",
        "bindings": [
            {
                "role": "roles/resourcemanager.organizationAdmin",
                "members": ["group:gcp-org-admins@acme.example"],
            },
            {"role": "roles/viewer", "members": ["user:consultant@partner-analytics.example"]},
        ],
        "auditConfigs": [
            {
                "service": "allServices",
                "auditLogConfigs": [{"logType": "DATA_READ"}, {"logType": "DATA_WRITE"}],
            }
        ],
    }
    org.roles = [
        {
            "name": f"organizations/{ORG}/roles/securityAuditor",
            "title": "Security auditor",
            "description": "Reads IAM everywhere",
            "includedPermissions": ["iam.roles.list", "resourcemanager.projects.getIamPolicy"],
            "stage": "GA",
            "etag": "BwX=",
        }
    ]
    data = org.add_folder(DATA_PLATFORM, org.scope, "data-platform")
    data.policy = {
        "version": 1,
        "etag": "BwYy8hNQk7c=",
        "bindings": [
            {"role": "roles/storage.objectViewer", "members": ["allUsers"]},
            {"role": "roles/iam.serviceAccountAdmin", "members": ["group:data-eng@acme.example"]},
        ],
    }
    org.add_folder(INGEST, f"folders/{DATA_PLATFORM}", "ingest")
    org.add_folder(SANDBOX, org.scope, "sandbox")
    org.add_folder("700000000002", org.scope, "graveyard", state="DELETE_REQUESTED")

    prod = org.add_project("acme-data-prod", "481516234201", f"folders/{INGEST}", labels=dict(PII))
    prod.policy = {
        "version": 3,
        "etag": "BwYy8hQ1abc=",
        "bindings": [
            {
                "role": "roles/editor",
                "members": [
                    "serviceAccount:481516234201-compute@developer.gserviceaccount.com",
                    "serviceAccount:cdc-connector@acme-data-prod.iam.gserviceaccount.com",
                ],
            },
            {
                "role": "roles/bigquery.admin",
                "members": ["group:data-eng@acme.example"],
                "condition": {
                    "title": "q3-migration",
                    "description": "Temporary access for the Q3 migration",
                    "expression": 'request.time < timestamp("2026-10-01T00:00:00Z")',
                },
            },
            {"role": "roles/iam.serviceAccountUser", "members": ["group:data-eng@acme.example"]},
            {
                "role": "roles/bigquery.dataViewer",
                "members": [
                    "serviceAccount:legacy-reporting@acme-data-prod.iam.gserviceaccount.com"
                ],
            },
            {
                "role": "projects/acme-data-prod/roles/dataPipelineOperator",
                "members": [
                    "serviceAccount:dataflow-runner@acme-data-prod.iam.gserviceaccount.com"
                ],
            },
        ],
        "auditConfigs": [
            {"service": "allServices", "auditLogConfigs": [{"logType": "ADMIN_READ"}]}
        ],
    }
    prod.roles = [
        {
            "name": "projects/acme-data-prod/roles/dataPipelineOperator",
            "title": "Data pipeline operator",
            "includedPermissions": [
                "dataflow.jobs.create",
                "iam.serviceAccountKeys.create",
                "storage.objects.get",
            ],
            "stage": "GA",
            "etag": "BwX=",
        },
        {
            "name": "projects/acme-data-prod/roles/oldLoader",
            "title": "Old loader",
            "includedPermissions": ["storage.objects.create"],
            "stage": "DEPRECATED",
            "deleted": True,
            "etag": "BwX=",
        },
    ]
    cdc = prod.add_account(
        "cdc-connector", displayName="CDC connector", uniqueId="104298374659182736452"
    )
    legacy = prod.add_account(
        "legacy-reporting", displayName="Legacy reporting exports", uniqueId="104298374659182736453"
    )
    prod.add_account(
        "old-batch-loader",
        displayName="Old batch loader",
        description="Replaced by Dataflow; disabled pending deletion",
        disabled=True,
        uniqueId="104298374659182736454",
    )
    prod.add_account("dataflow-runner", uniqueId="104298374659182736455")
    prod.add_key(
        cdc["email"],
        "3f9c1a7e52b04d8e9a61c2f0b7d4e8a15c3b9f27",
        validAfterTime="2025-10-16T09:41:07Z",
    )
    prod.add_key(
        cdc["email"],
        "8b2e4d6f1a3c5e7092b4d6f8a1c3e5f7092b4d6f",
        keyType="SYSTEM_MANAGED",
        validAfterTime=stamp(now - timedelta(days=3)),
        validBeforeTime=stamp(now + timedelta(days=10)),
    )
    prod.add_key(
        legacy["email"],
        "a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8",
        validAfterTime="2025-01-05T11:20:44Z",
    )
    prod.add_key(
        legacy["email"],
        "c41d7e2a9b3f50618e2d4c6a8b0f1e3d5c7a9b2e",
        keyOrigin="USER_PROVIDED",
        disabled=True,
        validAfterTime="2025-06-15T14:02:31Z",
        validBeforeTime="2027-06-15T14:02:31Z",
    )

    staging = org.add_project(
        "acme-data-staging",
        "310000000001",
        f"folders/{DATA_PLATFORM}",
        labels={"data-classification": "internal", "env": "staging"},
    )
    staging.policy = {
        "version": 1,
        "etag": "BwYy8hQ2def=",
        "bindings": [
            {"role": "roles/viewer", "members": ["group:analysts@acme.example"]},
            {
                "role": "roles/pubsub.subscriber",
                "members": ["serviceAccount:etl@acme-data-staging.iam.gserviceaccount.com"],
            },
        ],
    }
    etl = staging.add_account("etl", displayName="ETL", uniqueId="117253907482516490232")
    staging.add_key(
        etl["email"],
        "1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e",
        validAfterTime="2025-03-01T10:00:00Z",
    )

    org.add_project(
        "acme-sandbox-alice", "600000000001", f"folders/{SANDBOX}", labels={"env": "sandbox"}
    )
    org.add_project(
        "acme-sandbox-old", "600000000002", f"folders/{SANDBOX}", state="DELETE_REQUESTED"
    )

    org.time_series = [
        authentications(
            "acme-data-prod",
            cdc["uniqueId"],
            [(now - timedelta(days=1), 120), (now - timedelta(days=8), 80)],
        ),
        authentications(
            "acme-data-prod",
            cdc["uniqueId"],
            [(now - timedelta(days=1), 120)],
            key_id="3f9c1a7e52b04d8e9a61c2f0b7d4e8a15c3b9f27",
        ),
        authentications("acme-data-prod", legacy["uniqueId"], [(now - timedelta(days=100), 4)]),
        authentications("acme-data-staging", etl["uniqueId"], [(now - timedelta(hours=5), 9)]),
        authentications(
            "acme-data-staging",
            etl["uniqueId"],
            [(now - timedelta(hours=5), 9)],
            key_id="1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e",
        ),
        *backlog(
            now,
            "acme-data-prod",
            "orders-cdc-sink",
            [1200 + 120 * i for i in range(30)],
            [300 + 60 * i for i in range(30)],
        ),
        *backlog(
            now, "acme-data-prod", "audit-export", [3] * 30, [7200 + 60 * i for i in range(30)]
        ),
        *backlog(
            now, "acme-data-staging", "events-ok", [12, 9, 15, 11, 10] * 6, [4, 6, 3, 5, 4] * 6
        ),
        composer_health(
            now, "acme-data-prod", "europe-west1", "prod-composer", [True] * 20 + [False] * 10
        ),
        composer_health(now, "acme-data-staging", "europe-west1", "staging-composer", [True] * 30),
    ]
    return org
