"""Terraform plans read before release: what a plan would create or change, judged by the
same rules as a live estate."""
