# auditor reads two folders only (data platform and shared services): the custom role is created
# on the organization but granted on each folder, reaching every folder and project below them.
# Organization-level bindings stay unreadable; the gcp source reports that as a problem, so
# configure it with the same folders (sources[].folders in auditor.yaml).
terraform {
  required_version = ">= 1.9"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.0, < 8.0"
    }
  }
}

provider "google" {}

module "auditor" {
  source = "../.."

  organization_id = "123456789012"
  project_id      = "acme-security"
  grant_scope     = "folders"
  folder_ids      = ["folders/345678901234", "456789012345"]

  # The daemon runs in the data platform's cluster, installed as release "auditor" in namespace
  # "compliance": the chart's ServiceAccount is then compliance/auditor.
  workload_identity_project = "acme-data-platform"
  kubernetes_namespace      = "compliance"

  # It also checks a Composer environment and its DAG delivery.
  composer_projects    = ["acme-data-platform"]
  composer_dag_buckets = ["europe-west1-composer-prod-1a2b3c4d-bucket"]
}

output "service_account_email" {
  description = "Set as the Helm chart's serviceAccount.gcpServiceAccount."
  value       = module.auditor.service_account_email
}

output "workload_identity_member" {
  description = "serviceAccount:acme-data-platform.svc.id.goog[compliance/auditor]"
  value       = module.auditor.workload_identity_member
}
