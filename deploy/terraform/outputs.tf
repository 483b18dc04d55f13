output "service_account_email" {
  description = "Email of auditor's Google service account: the value of the Helm chart's Workload Identity annotation iam.gke.io/gcp-service-account."
  value       = google_service_account.auditor.email
}

output "service_account_member" {
  description = "The service account as an IAM member (serviceAccount:EMAIL), for grants made outside this module."
  value       = local.service_account_member
}

output "custom_role_id" {
  description = "Full ID of the custom role: organizations/ORG_ID/roles/ROLE_ID."
  value       = google_organization_iam_custom_role.collector.name
}

output "custom_role_permissions" {
  description = "The custom role's permissions (exactly auditor/collectors/gcp/permissions.yaml's)."
  value       = google_organization_iam_custom_role.collector.permissions
}

output "workload_identity_member" {
  description = "The Kubernetes ServiceAccount's Workload Identity member, or null when the binding is disabled."
  value       = var.workload_identity_enabled ? local.workload_identity_member : null
}

output "helm_values" {
  description = "Values for the Helm chart deploy/helm/auditor that annotate its ServiceAccount for Workload Identity: `terraform output -json helm_values > wi-values.json` then `helm upgrade --install auditor deploy/helm/auditor -n auditor -f wi-values.json`."
  value = {
    serviceAccount = {
      gcpServiceAccount = google_service_account.auditor.email
    }
  }
}
