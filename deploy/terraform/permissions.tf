# Generated from auditor/collectors/gcp/permissions.yaml by `.venv/bin/python deploy/terraform/sync_permissions.py`.
# Do not edit: change the manifest and run the command (tests/deploy/test_terraform.py checks it).

locals {
  collector_role_id          = "auditorGcpCollector"
  collector_role_title       = "auditor GCP collector (read-only)"
  collector_role_description = "Reads IAM policies, service accounts, key metadata, custom roles and Cloud Monitoring time series for compliance auditing. Grant on the organization (or each folder / project scanned)."
  collector_role_stage       = "GA"

  collector_permissions = [
    "cloudasset.assets.searchAllIamPolicies",
    "cloudasset.assets.searchAllResources",
    "iam.roles.list",
    "iam.serviceAccountKeys.list",
    "iam.serviceAccounts.list",
    "monitoring.timeSeries.list",
    "resourcemanager.folders.get",
    "resourcemanager.folders.getIamPolicy",
    "resourcemanager.folders.list",
    "resourcemanager.organizations.getIamPolicy",
    "resourcemanager.projects.get",
    "resourcemanager.projects.getIamPolicy",
    "resourcemanager.projects.list",
  ]
}
