"""Resource-manager scopes an IAM policy is attached to: projects, folders, organizations."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Cloud Asset Inventory and audit logs name resources in full; policies are attached to the
# short form, so both are accepted and the short form is kept.
_FULL_NAME_PREFIX = "//cloudresourcemanager.googleapis.com/"

# Singular forms appear in file names (`project-prod-data.json`); the scope always uses plurals.
SCOPE_TYPES = {"projects": "project", "folders": "folder", "organizations": "organization"}

# A project id (optionally domain-scoped, `example.com:my-project`) or a project number.
_PROJECT_ID = re.compile(r"^(?:[a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$|^[0-9]+$")
_NUMBER = re.compile(r"^[0-9]+$")


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a policy is attached: `name` is e.g. 'projects/prod-data'."""

    name: str
    type: str  # project | folder | organization
    id: str


def is_valid_scope_id(scope_type: str, scope_id: str) -> bool:
    """True when `scope_id` is a well-formed id for a scope of `scope_type` (singular)."""
    if scope_type == "project":
        return bool(_PROJECT_ID.match(scope_id))
    return bool(_NUMBER.match(scope_id))


def parse_scope(text: str) -> Scope:
    """The scope named by `text` ('projects/x', 'folders/1', 'organizations/2', or the full
    '//cloudresourcemanager.googleapis.com/…' form).

    Raises ValueError saying which forms are accepted.
    """
    name = text.strip()
    if name.startswith(_FULL_NAME_PREFIX):
        name = name[len(_FULL_NAME_PREFIX) :]
    collection, _, scope_id = name.partition("/")
    scope_type = SCOPE_TYPES.get(collection)
    if scope_type is None or not is_valid_scope_id(scope_type, scope_id):
        raise ValueError(
            f"{text!r} is not a scope; expected projects/PROJECT_ID, folders/NUMBER "
            "or organizations/NUMBER"
        )
    return Scope(name=f"{collection}/{scope_id}", type=scope_type, id=scope_id)
