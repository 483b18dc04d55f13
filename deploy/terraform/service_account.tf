# The identity auditor runs as. Keyless by design: there is no google_service_account_key in
# this module — the daemon gets short-lived tokens through Workload Identity (workload_identity.tf).
resource "google_service_account" "auditor" {
  project      = var.project_id
  account_id   = var.account_id
  display_name = var.display_name
  description  = "auditor: read-only compliance auditing of the organization (no keys; Workload Identity only)."
}
