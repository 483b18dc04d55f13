# auditor reads the whole organization: the custom role is granted once on it, and the daemon
# runs in the GKE cluster of project acme-platform (namespace auditor, ServiceAccount auditor).
terraform {
  required_version = ">= 1.9"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.0, < 8.0"
    }
  }
}

# Application Default Credentials of whoever applies this (needs roles/iam.organizationRoleAdmin,
# roles/resourcemanager.organizationAdmin on the organization and roles/iam.serviceAccountAdmin on
# the project); auditor itself never holds those.
provider "google" {}

module "auditor" {
  # From another repository: "git::https://github.com/example-org/auditor.git//deploy/terraform?ref=v0.1.0"
  source = "../.."

  organization_id = "123456789012"
  project_id      = "acme-security"
  grant_scope     = "organization"

  workload_identity_project = "acme-platform"
  quota_project             = "acme-security"
}

output "service_account_email" {
  description = "Set as the Helm chart's serviceAccount.gcpServiceAccount."
  value       = module.auditor.service_account_email
}

output "custom_role_id" {
  description = "organizations/123456789012/roles/auditorGcpCollector"
  value       = module.auditor.custom_role_id
}

output "helm_values" {
  description = "terraform output -json helm_values > wi-values.json; helm ... -f wi-values.json"
  value       = module.auditor.helm_values
}
