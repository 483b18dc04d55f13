# Where the custom role is granted: once on the organization (reaches every folder and project),
# or on each configured folder. Additive *_iam_member resources only, never *_iam_policy or
# *_iam_binding, which would take over the resource's whole policy or role.
locals {
  service_account_member = "serviceAccount:${google_service_account.auditor.email}"
  folders                = toset([for id in var.folder_ids : startswith(id, "folders/") ? id : "folders/${id}"])
}

resource "google_organization_iam_member" "collector" {
  count = var.grant_scope == "organization" ? 1 : 0

  org_id = var.organization_id
  role   = google_organization_iam_custom_role.collector.name
  member = local.service_account_member
}

resource "google_folder_iam_member" "collector" {
  for_each = var.grant_scope == "folders" ? local.folders : toset([])

  folder = each.value
  role   = google_organization_iam_custom_role.collector.name
  member = local.service_account_member
}

# Calls billed and rate-limited to a quota project (the config's auth.quota_project) need
# serviceusage.services.use there.
resource "google_project_iam_member" "quota_project" {
  count = var.quota_project == null ? 0 : 1

  project = var.quota_project
  role    = "roles/serviceusage.serviceUsageConsumer"
  member  = local.service_account_member
}
