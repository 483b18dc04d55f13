"""`assets:` of a `type: gcp` source: resource-level IAM and resource facts read through Cloud
Asset Inventory (SearchAllIamPolicies, SearchAllResources)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

# The asset types auditor turns into resources (auditor/gcp/resource_facts.py), plus service
# accounts and projects, whose policies and results feed impersonation paths and PII labels.
DEFAULT_ASSET_TYPES = (
    "bigquery.googleapis.com/Dataset",
    "bigquery.googleapis.com/Table",
    "storage.googleapis.com/Bucket",
    "pubsub.googleapis.com/Topic",
    "pubsub.googleapis.com/Subscription",
    "cloudfunctions.googleapis.com/CloudFunction",
    "cloudfunctions.googleapis.com/Function",
    "dataflow.googleapis.com/Job",
    "bigtableadmin.googleapis.com/Instance",
    "iam.googleapis.com/ServiceAccount",
    "cloudresourcemanager.googleapis.com/Project",
)
_SCOPE = re.compile(
    r"^(?:organizations/[0-9]+|folders/[0-9]+|projects/(?:[a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]+))$"
)
# SERVICE.googleapis.com/Type, or a regular expression over such names (CAI accepts both:
# 'compute.googleapis.com.*', '.*Instance').
_ASSET_TYPE = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.googleapis\.com/[A-Za-z0-9]+$")
_REGEX_HINT = re.compile(r"[.][*+]|[\\^$|()\[\]]")


class AssetSettings(BaseModel):
    """Off by default: it needs the Cloud Asset API enabled in the quota project and two more
    permissions (cloudasset.assets.searchAllIamPolicies, cloudasset.assets.searchAllResources)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)

    enabled: bool = False
    scope: list[str] = Field(
        default_factory=list,
        description="organizations/N, folders/N or projects/ID searched; default: the source's "
        "organization, folders or projects.",
    )
    asset_types: list[str] = Field(
        default_factory=lambda: list(DEFAULT_ASSET_TYPES),
        min_length=1,
        description="Asset types searched (policies and resources).",
    )
    page_size: int = Field(default=500, ge=1, le=500, description="Results per page (max 500).")

    @field_validator("scope")
    @classmethod
    def _scopes(cls, value: list[str]) -> list[str]:
        for scope in value:
            if not _SCOPE.match(scope):
                raise ValueError(
                    f"{scope!r} is not a search scope; expected organizations/NUMBER, "
                    "folders/NUMBER or projects/PROJECT_ID"
                )
        if len(set(value)) != len(value):
            raise ValueError("a scope is listed twice")
        return value

    @field_validator("asset_types")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        for asset_type in value:
            if _ASSET_TYPE.match(asset_type):
                continue
            try:
                pattern = re.compile(asset_type) if _REGEX_HINT.search(asset_type) else None
            except re.error:
                pattern = None
            if pattern is None:
                raise ValueError(
                    f"{asset_type!r} is not an asset type like storage.googleapis.com/Bucket "
                    "(or a regular expression such as compute.googleapis.com.*)"
                )
        return value
