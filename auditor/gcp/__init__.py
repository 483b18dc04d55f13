"""Google Cloud IAM: policies of projects, folders and organizations normalised into resources.

`iam.normalise_policies` is the one normaliser the static IAM policy loader and the live GCP
collector share; the kinds it produces are documented in docs/resource-kinds/gcp.md.
"""
