# What auditor's other sources need from Google Cloud, only where configured (all empty by
# default): the read-only predefined roles docs/sources/airflow.md and docs/sources/gke.md name.

# airflow source on Cloud Composer: reach the environment's Airflow web server
# (composer.environments.get). The Airflow-side Viewer role is set in the environment itself.
resource "google_project_iam_member" "composer_user" {
  for_each = toset(var.composer_projects)

  project = each.value
  role    = "roles/composer.user"
  member  = local.service_account_member
}

# airflow source with DAG delivery checks: list object names and hashes in the environment's
# bucket only (contents are never downloaded).
resource "google_storage_bucket_iam_member" "composer_dag_bucket" {
  for_each = toset(var.composer_dag_buckets)

  bucket = each.value
  role   = "roles/storage.objectViewer"
  member = local.service_account_member
}

# gke source reaching clusters from outside: find the cluster (container.clusters.get). What it may
# read inside the cluster is Kubernetes RBAC (deploy/rbac/auditor-gke-reader.yaml).
resource "google_project_iam_member" "gke_cluster_viewer" {
  for_each = toset(var.gke_cluster_projects)

  project = each.value
  role    = "roles/container.clusterViewer"
  member  = local.service_account_member
}
