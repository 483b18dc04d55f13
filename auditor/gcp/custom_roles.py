"""Custom IAM roles as `gcloud iam roles describe|list --project P|--organization O
--format=json` prints them (the IAM API's Role), checked and parsed.

`gcloud iam roles list` prints the BASIC view, without `includedPermissions`: such a role's
permissions are unknown (None), not empty, so no rule reads "no permissions" as "no risk".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditor.gcp import fields
from auditor.gcp.fields import ListingFormatError
from auditor.gcp.policy import FieldPath

_CUSTOM_ROLE_NAME = re.compile(
    r"^(?P<collection>projects|organizations)/(?P<scope_id>[^/]+)/roles/(?P<role_id>[A-Za-z0-9_.]+)$"
)
STAGES = ("ALPHA", "BETA", "GA", "DEPRECATED", "DISABLED", "EAP")


def looks_like_custom_role(raw: Any) -> bool:
    """An object named `projects/*/roles/*` or `organizations/*/roles/*`."""
    return (
        isinstance(raw, Mapping)
        and isinstance(raw.get("name"), str)
        and bool(_CUSTOM_ROLE_NAME.match(raw["name"]))
    )


@dataclass(frozen=True, slots=True)
class CustomRole:
    """A custom role of a project or organization."""

    role: str
    role_id: str
    scope: str
    scope_type: str  # project | organization
    title: str | None
    description: str | None
    stage: str | None
    deleted: bool
    permissions: tuple[str, ...] | None  # sorted; None when the listing omits them

    def facts(self) -> dict[str, Any]:
        """The role as it appears in resource data."""
        return {
            "role": self.role,
            "role_id": self.role_id,
            "scope": self.scope,
            "scope_type": self.scope_type,
            "title": self.title,
            "description": self.description,
            "stage": self.stage,
            "deleted": self.deleted,
            "permissions": list(self.permissions) if self.permissions is not None else None,
        }


def parse_custom_role(raw: Any, path: FieldPath) -> CustomRole:
    """One role object; raises ListingFormatError naming the field."""
    role = fields.item(raw, path, "a custom role")
    name = fields.required_text(role, "name", path)
    match = _CUSTOM_ROLE_NAME.match(name)
    if not match:
        raise ListingFormatError(
            f"{name!r} is not a custom role: expected projects/PROJECT_ID/roles/ID or "
            "organizations/NUMBER/roles/ID (predefined roles/… are not read)",
            (*path, "name"),
        )
    stage = fields.text(role, "stage", path)
    if stage is not None and stage not in STAGES:
        raise ListingFormatError(f"{stage!r} is not one of {', '.join(STAGES)}", (*path, "stage"))
    permissions = fields.texts(role, "includedPermissions", path)
    collection = match["collection"]
    return CustomRole(
        role=name,
        role_id=match["role_id"],
        scope=f"{collection}/{match['scope_id']}",
        scope_type="project" if collection == "projects" else "organization",
        title=fields.text(role, "title", path),
        description=fields.text(role, "description", path),
        stage=stage,
        deleted=bool(fields.flag(role, "deleted", path)),
        permissions=tuple(sorted(set(permissions))) if permissions is not None else None,
    )
