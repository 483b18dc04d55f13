# Lets the Kubernetes ServiceAccount NAMESPACE/KSA in the cluster's workload pool act as the Google
# service account: the Helm chart's ServiceAccount (deploy/helm/auditor, namespace `auditor`,
# name `auditor` by default) annotated with iam.gke.io/gcp-service-account = this account's email.
locals {
  workload_pool            = "${coalesce(var.workload_identity_project, var.project_id)}.svc.id.goog"
  workload_identity_member = "serviceAccount:${local.workload_pool}[${var.kubernetes_namespace}/${var.kubernetes_service_account}]"
}

resource "google_service_account_iam_member" "workload_identity" {
  count = var.workload_identity_enabled ? 1 : 0

  service_account_id = google_service_account.auditor.name
  role               = "roles/iam.workloadIdentityUser"
  member             = local.workload_identity_member
}
