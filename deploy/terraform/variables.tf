# --- Where auditor's identity lives -------------------------------------------------------------

variable "organization_id" {
  description = "Numeric ID of the organization to audit (`gcloud organizations list`). The custom role is created here."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{1,20}$", var.organization_id))
    error_message = "organization_id must be the numeric organization ID, e.g. \"123456789012\" (without \"organizations/\")."
  }
}

variable "project_id" {
  description = "Project that holds auditor's service account (a security or tooling project)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project ID: 6-30 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "account_id" {
  description = "Account ID of the service account (the part before @); its email is ACCOUNT_ID@PROJECT_ID.iam.gserviceaccount.com."
  type        = string
  default     = "auditor"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.account_id))
    error_message = "account_id must be 6-30 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "display_name" {
  description = "Display name of the service account."
  type        = string
  default     = "auditor (read-only compliance auditing)"

  validation {
    condition     = length(var.display_name) <= 100
    error_message = "display_name must be at most 100 characters."
  }
}

variable "role_id" {
  description = "ID of the custom role in the organization; null takes the manifest's (auditorGcpCollector). Set it to install a second copy, e.g. a staging one."
  type        = string
  default     = null

  validation {
    condition     = var.role_id == null || can(regex("^[a-zA-Z0-9_.]{3,64}$", var.role_id))
    error_message = "role_id must be 3-64 letters, digits, underscores or dots."
  }
}

# --- Where the custom role is granted -----------------------------------------------------------

variable "grant_scope" {
  description = "Where the custom role is granted: \"organization\" (once, reaching every folder and project) or \"folders\" (each of folder_ids and everything below them; organization-level bindings are then not readable and the collector reports that as a problem)."
  type        = string
  default     = "organization"

  validation {
    condition     = contains(["organization", "folders"], var.grant_scope)
    error_message = "grant_scope must be \"organization\" or \"folders\"."
  }
}

variable "folder_ids" {
  description = "Folders the custom role is granted on when grant_scope is \"folders\": numeric IDs, with or without the \"folders/\" prefix. Must be empty for grant_scope \"organization\"."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.folder_ids : can(regex("^(folders/)?[0-9]{1,20}$", id))])
    error_message = "folder_ids must be numeric folder IDs such as \"345678901234\" or \"folders/345678901234\"."
  }

  validation {
    condition     = var.grant_scope != "folders" || length(var.folder_ids) > 0
    error_message = "grant_scope \"folders\" needs at least one folder in folder_ids."
  }

  validation {
    condition     = var.grant_scope != "organization" || length(var.folder_ids) == 0
    error_message = "folder_ids is only used with grant_scope \"folders\"; with \"organization\" the role already reaches every folder."
  }
}

# --- Workload Identity (keyless) ----------------------------------------------------------------

variable "workload_identity_enabled" {
  description = "Bind the Kubernetes ServiceAccount to the Google service account (roles/iam.workloadIdentityUser). Disable only when auditor runs outside GKE (Cloud Run or Compute Engine with this account attached)."
  type        = bool
  default     = true
}

variable "workload_identity_project" {
  description = "Project of the GKE cluster auditor runs in, whose workload pool is PROJECT.svc.id.goog; null means project_id."
  type        = string
  default     = null

  validation {
    condition     = var.workload_identity_project == null || can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.workload_identity_project))
    error_message = "workload_identity_project must be a project ID: 6-30 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "kubernetes_namespace" {
  description = "Namespace auditor is installed in; the Helm chart's default is \"auditor\"."
  type        = string
  default     = "auditor"

  validation {
    condition     = length(var.kubernetes_namespace) <= 63 && can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.kubernetes_namespace))
    error_message = "kubernetes_namespace must be a DNS-1123 label: at most 63 lowercase letters, digits or hyphens, starting and ending alphanumeric."
  }
}

variable "kubernetes_service_account" {
  description = "Name of the chart's Kubernetes ServiceAccount; the Helm chart's default is \"auditor\"."
  type        = string
  default     = "auditor"

  validation {
    condition     = length(var.kubernetes_service_account) <= 253 && can(regex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", var.kubernetes_service_account))
    error_message = "kubernetes_service_account must be a DNS-1123 subdomain: lowercase letters, digits, hyphens or dots, starting and ending alphanumeric."
  }
}

# --- Optional grants ----------------------------------------------------------------------------

variable "quota_project" {
  description = "Project the GCP source bills its API calls to (its auth.quota_project); grants roles/serviceusage.serviceUsageConsumer there. null grants nothing."
  type        = string
  default     = null

  validation {
    condition     = var.quota_project == null || can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.quota_project))
    error_message = "quota_project must be a project ID: 6-30 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "composer_projects" {
  description = "Projects of Cloud Composer environments the airflow source reads: roles/composer.user on each (docs/sources/airflow.md)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for p in var.composer_projects : can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", p))])
    error_message = "composer_projects must be project IDs: 6-30 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "composer_dag_buckets" {
  description = "Composer environments' buckets whose DAG delivery the airflow source checks: roles/storage.objectViewer on each bucket only. Bucket names, without gs://."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for b in var.composer_dag_buckets : can(regex("^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$", b))])
    error_message = "composer_dag_buckets must be bucket names such as \"europe-west1-composer-prod-1a2b3c4d-bucket\" (no gs:// and no path)."
  }
}

variable "gke_cluster_projects" {
  description = "Projects of GKE clusters the gke source reaches from outside the cluster: roles/container.clusterViewer on each. Not needed when auditor runs in the cluster it audits."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for p in var.gke_cluster_projects : can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", p))])
    error_message = "gke_cluster_projects must be project IDs: 6-30 lowercase letters, digits or hyphens, starting with a letter."
  }
}
