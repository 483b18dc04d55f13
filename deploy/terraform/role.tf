# The custom role holding exactly the GCP collector's permissions (permissions.tf, generated from
# auditor/collectors/gcp/permissions.yaml). Defined on the organization so it can be granted on the
# organization itself or on any folder below it.
resource "google_organization_iam_custom_role" "collector" {
  org_id      = var.organization_id
  role_id     = coalesce(var.role_id, local.collector_role_id)
  title       = local.collector_role_title
  description = local.collector_role_description
  stage       = local.collector_role_stage
  permissions = local.collector_permissions
}
