terraform {
  # 1.9: variable validations may refer to other variables (grant_scope / folder_ids).
  required_version = ">= 1.9"

  required_providers {
    google = {
      source = "hashicorp/google"
      # Every resource here is stable across 6.x and 7.x; a root module pins the exact build
      # in its .terraform.lock.hcl.
      version = ">= 6.0, < 8.0"
    }
  }
}
