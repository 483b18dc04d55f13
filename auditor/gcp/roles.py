"""IAM role names classified: basic, predefined or custom, and whether a role is administrative.

Matching is exact, on whole name tokens, never on substrings: Prowler flagged
roles/accessapproval.configEditor as an admin role by substring (prowler-cloud/prowler#4393).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

BASIC_ROLES = frozenset({"roles/owner", "roles/editor", "roles/viewer"})

# Roles that administer a project without saying "admin" in their name. Every predefined role
# whose last name token is `admin` or ends in `Admin` (roles/storage.admin,
# roles/iam.securityAdmin, roles/resourcemanager.organizationAdmin …) is admin by the token
# rule below — the same test as CIS GCP Foundations 1.5 (`*Admin` or `*admin`).
ADMIN_ROLES_BY_NAME = frozenset({"roles/owner"})

_PREDEFINED = re.compile(r"^roles/[A-Za-z0-9_.]+$")
_CUSTOM = re.compile(r"^(?:projects|organizations)/[^/]+/roles/[A-Za-z0-9_.]+$")

EXPECTED_ROLE_FORMS = (
    "roles/NAME, projects/PROJECT_ID/roles/NAME or organizations/NUMBER/roles/NAME"
)


@dataclass(frozen=True, slots=True)
class Role:
    """A role and what its name says about it."""

    role: str
    role_type: str  # basic | predefined | custom
    role_name: str
    is_admin_role: bool

    def facts(self) -> dict[str, str | bool]:
        """The role's fields as they appear in resource data."""
        return {
            "role": self.role,
            "role_type": self.role_type,
            "role_name": self.role_name,
            "is_admin_role": self.is_admin_role,
        }


def is_admin_role(role: str) -> bool:
    """True for roles/owner and predefined roles whose last name token is admin or *Admin.

    'roles/accessapproval.configEditor' and 'roles/securitycenter.adminViewer' are not admin:
    only the final token counts, and only as a whole word.
    """
    if role in ADMIN_ROLES_BY_NAME:
        return True
    if not _PREDEFINED.match(role) or role in BASIC_ROLES:
        return False
    last_word = role.rsplit("/", 1)[1].rsplit(".", 1)[-1]
    return last_word == "admin" or (last_word.endswith("Admin") and last_word != "Admin")


@functools.lru_cache(maxsize=8192)  # a few hundred roles recur in every policy; Role is immutable
def parse_role(role: str) -> Role:
    """Classify `role`; raises ValueError naming the accepted forms."""
    if _PREDEFINED.match(role):
        role_type = "basic" if role in BASIC_ROLES else "predefined"
    elif _CUSTOM.match(role):
        role_type = "custom"
    else:
        raise ValueError(f"role {role!r} is not one of {EXPECTED_ROLE_FORMS}")
    return Role(
        role=role,
        role_type=role_type,
        role_name=role.rsplit("/", 1)[1],
        is_admin_role=is_admin_role(role),
    )
