"""Cloud Asset Inventory search results checked and parsed: the JSON that
`gcloud asset search-all-iam-policies --format=json` and `gcloud asset search-all-resources
--read-mask='*' --format=json` print (IamPolicySearchResult, ResourceSearchResult), which is
also what the live collector turns the API's messages into.

Every problem names the field it is in (`[3].policy.bindings[0].role`), so a static loader
can turn it into a file line and a live collector into a problem line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.gcp.fields import (
    ListingFormatError,
    item,
    labels,
    mapping,
    objects,
    required_text,
    text,
)
from auditor.gcp.policy import FieldPath
from auditor.model import Location

PROJECT_ASSET = "cloudresourcemanager.googleapis.com/Project"
FOLDER_ASSET = "cloudresourcemanager.googleapis.com/Folder"
ORGANIZATION_ASSET = "cloudresourcemanager.googleapis.com/Organization"
RESOURCE_MANAGER_ASSETS = frozenset({PROJECT_ASSET, FOLDER_ASSET, ORGANIZATION_ASSET})

# //SERVICE.googleapis.com/RELATIVE/NAME
_FULL_NAME = re.compile(r"^//(?P<service>[a-z0-9.-]+\.googleapis\.com)/(?P<relative>.+)$")
_ASSET_TYPE = re.compile(r"^[a-z0-9.-]+\.googleapis\.com/[A-Za-z0-9]+$")
_PROJECT_IN_NAME = re.compile(r"(?:^|/)projects/(?P<project>[^/]+)(?:/|$)")
_NUMBER = re.compile(r"^[0-9]+$")


def relative_name(full_name: str) -> str:
    """'//bigquery.googleapis.com/projects/p/datasets/d' → 'projects/p/datasets/d'."""
    found = _FULL_NAME.match(full_name)
    return found["relative"] if found else full_name


def project_in_name(full_name: str) -> str | None:
    """The project id a full resource name spells out (never a number), if any."""
    found = _PROJECT_IN_NAME.search(relative_name(full_name))
    if found is None or _NUMBER.match(found["project"]):
        return None
    return found["project"]


def _full_name(raw: Mapping[str, Any], key: str, path: FieldPath) -> str:
    value = required_text(raw, key, path)
    if not _FULL_NAME.match(value):
        raise ListingFormatError(
            f"{value!r} is not a full resource name like //SERVICE.googleapis.com/…", (*path, key)
        )
    return value


def _asset_type(raw: Mapping[str, Any], path: FieldPath) -> str:
    value = required_text(raw, "assetType", path)
    if not _ASSET_TYPE.match(value):
        raise ListingFormatError(
            f"{value!r} is not an asset type like storage.googleapis.com/Bucket",
            (*path, "assetType"),
        )
    return value


def _ancestry(
    raw: Mapping[str, Any], path: FieldPath
) -> tuple[str | None, tuple[str, ...], str | None]:
    project = text(raw, "project", path)
    folders = objects(raw, "folders", path)
    for index, folder in enumerate(folders):
        if not isinstance(folder, str):
            raise ListingFormatError("must be a string", (*path, "folders", index))
    organization = text(raw, "organization", path)
    return project, tuple(folders), organization


@dataclass(frozen=True, slots=True)
class AssetPolicy:
    """One IamPolicySearchResult: the allow policy set on one resource."""

    resource: str  # full resource name
    asset_type: str
    project: str | None  # projects/NUMBER
    folders: tuple[str, ...]
    organization: str | None
    policy: Mapping[str, Any]
    where: Location | None = None
    path: FieldPath = ()


@dataclass(frozen=True, slots=True)
class AssetResource:
    """One ResourceSearchResult; `resource` is the newest versioned resource's API JSON
    ({} when the search was made without versionedResources in its read mask)."""

    name: str
    asset_type: str
    project: str | None
    folders: tuple[str, ...]
    organization: str | None
    display_name: str | None
    location: str | None
    labels: Mapping[str, str]
    state: str | None
    parent: str | None
    attributes: Mapping[str, Any]
    resource: Mapping[str, Any] = field(default_factory=dict)
    has_versioned_resource: bool = False
    where: Location | None = None


def parse_policy_result(raw: Any, path: FieldPath, where: Location | None = None) -> AssetPolicy:
    """An IamPolicySearchResult; ListingFormatError naming the field otherwise."""
    found = item(raw, path, "an IAM policy search result")
    project, folders, organization = _ancestry(found, path)
    policy = mapping(found, "policy", path)
    return AssetPolicy(
        resource=_full_name(found, "resource", path),
        asset_type=_asset_type(found, path),
        project=project,
        folders=folders,
        organization=organization,
        policy=policy,
        where=where,
        path=path,
    )


def _versioned(found: Mapping[str, Any], path: FieldPath) -> tuple[Mapping[str, Any], bool]:
    versions = objects(found, "versionedResources", path)
    if not versions:
        return {}, False
    first = item(versions[0], (*path, "versionedResources", 0), "a versioned resource")
    return mapping(first, "resource", (*path, "versionedResources", 0)), True


def parse_resource_result(
    raw: Any, path: FieldPath, where: Location | None = None
) -> AssetResource:
    """A ResourceSearchResult; ListingFormatError naming the field otherwise."""
    found = item(raw, path, "a resource search result")
    project, folders, organization = _ancestry(found, path)
    resource, versioned = _versioned(found, path)
    return AssetResource(
        name=_full_name(found, "name", path),
        asset_type=_asset_type(found, path),
        project=project,
        folders=folders,
        organization=organization,
        display_name=text(found, "displayName", path),
        location=text(found, "location", path),
        labels=labels(found, "labels", path),
        state=text(found, "state", path),
        parent=text(found, "parentFullResourceName", path),
        attributes=mapping(found, "additionalAttributes", path),
        resource=resource,
        has_versioned_resource=versioned,
        where=where,
    )


def looks_like_policy_results(document: Any) -> bool:
    """True for a list shaped like `gcloud asset search-all-iam-policies` output."""
    return _first_has(document, ("resource", "assetType", "policy"))


def looks_like_resource_results(document: Any) -> bool:
    """True for a list shaped like `gcloud asset search-all-resources` output."""
    return _first_has(document, ("name", "assetType")) and not looks_like_policy_results(document)


def _first_has(document: Any, keys: tuple[str, ...]) -> bool:
    if not isinstance(document, list) or not document or not isinstance(document[0], dict):
        return False
    return all(key in document[0] for key in keys)
