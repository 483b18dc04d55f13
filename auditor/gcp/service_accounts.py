"""Service accounts and their keys as `gcloud iam service-accounts [keys] list --format=json`
prints them (the IAM API's ServiceAccount and ServiceAccountKey), checked and parsed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditor.gcp import fields
from auditor.gcp.fields import ListingFormatError
from auditor.gcp.members import Member, parse_member
from auditor.gcp.policy import FieldPath

# projects/PROJECT/serviceAccounts/EMAIL[/keys/KEY_ID]; PROJECT may be '-' (any project).
_ACCOUNT_NAME = re.compile(r"^projects/(?P<project>[^/]+)/serviceAccounts/(?P<email>[^/]+)$")
_KEY_NAME = re.compile(
    r"^projects/(?P<project>[^/]+)/serviceAccounts/(?P<email>[^/]+)/keys/(?P<key>[^/]+)$"
)
_USER_MANAGED_DOMAIN = ".iam.gserviceaccount.com"
KEY_TYPES = ("USER_MANAGED", "SYSTEM_MANAGED")


def looks_like_service_account(raw: Any) -> bool:
    """An object with an email and a `projects/*/serviceAccounts/*` name."""
    return (
        isinstance(raw, Mapping)
        and isinstance(raw.get("email"), str)
        and isinstance(raw.get("name"), str)
        and bool(_ACCOUNT_NAME.match(raw["name"]))
    )


def looks_like_key(raw: Any) -> bool:
    """An object with a `projects/*/serviceAccounts/*/keys/*` name."""
    return (
        isinstance(raw, Mapping)
        and isinstance(raw.get("name"), str)
        and bool(_KEY_NAME.match(raw["name"]))
    )


def project_of_email(email: str) -> str | None:
    """'etl@acme-prod.iam.gserviceaccount.com' → 'acme-prod'; None for other domains."""
    domain = email.rpartition("@")[2]
    if domain.endswith(_USER_MANAGED_DOMAIN):
        return domain.removesuffix(_USER_MANAGED_DOMAIN) or None
    return None


@dataclass(frozen=True, slots=True)
class ServiceAccount:
    """One service account of a project. `email` is lower-cased."""

    project_id: str
    email: str
    unique_id: str | None
    display_name: str | None
    description: str | None
    disabled: bool
    member: Member


@dataclass(frozen=True, slots=True)
class ServiceAccountKey:
    """One key of a service account. Times are 'YYYY-MM-DDTHH:MM:SSZ'."""

    key_id: str
    project_id: str | None  # None when the name says '-' and the email does not tell
    service_account_email: str
    key_type: str
    key_origin: str | None
    key_algorithm: str | None
    created_at: str | None
    expires_at: str | None  # None when the key never expires
    disabled: bool

    @property
    def user_managed(self) -> bool:
        """A key somebody created or uploaded, whose private half lives outside Google."""
        return self.key_type == "USER_MANAGED"


def parse_service_account(raw: Any, path: FieldPath) -> ServiceAccount:
    """One service account object; raises ListingFormatError naming the field."""
    account = fields.item(raw, path, "a service account")
    email = fields.required_text(account, "email", path).lower()
    name = fields.text(account, "name", path)
    project = None
    if name is not None:
        match = _ACCOUNT_NAME.match(name)
        if not match:
            raise ListingFormatError(
                "expected projects/PROJECT_ID/serviceAccounts/EMAIL", (*path, "name")
            )
        if match["email"].lower() != email:
            raise ListingFormatError(f"names {match['email']}, not {email}", (*path, "name"))
        project = match["project"] if match["project"] != "-" else None
    project = project or fields.text(account, "projectId", path) or project_of_email(email)
    if project is None:
        raise ListingFormatError(
            "cannot tell the project: name it projects/PROJECT_ID/… or add projectId", path
        )
    try:
        member = parse_member(f"serviceAccount:{email}")
    except ValueError as exc:
        raise ListingFormatError(str(exc), (*path, "email")) from None
    return ServiceAccount(
        project_id=project,
        email=email,
        unique_id=fields.text(account, "uniqueId", path),
        display_name=fields.text(account, "displayName", path),
        description=fields.text(account, "description", path),
        disabled=bool(fields.flag(account, "disabled", path)),
        member=member,
    )


def parse_key(raw: Any, path: FieldPath) -> ServiceAccountKey:
    """One service account key object; raises ListingFormatError naming the field."""
    key = fields.item(raw, path, "a service account key")
    name = fields.required_text(key, "name", path)
    match = _KEY_NAME.match(name)
    if not match:
        raise ListingFormatError(
            "expected projects/PROJECT_ID/serviceAccounts/EMAIL/keys/KEY_ID", (*path, "name")
        )
    key_type = fields.required_text(key, "keyType", path)
    if key_type not in KEY_TYPES:
        raise ListingFormatError(
            f"{key_type!r} is not USER_MANAGED or SYSTEM_MANAGED", (*path, "keyType")
        )
    email = match["email"].lower()
    expires_at = fields.timestamp(key, "validBeforeTime", path)
    return ServiceAccountKey(
        key_id=match["key"],
        project_id=match["project"] if match["project"] != "-" else project_of_email(email),
        service_account_email=email,
        key_type=key_type,
        key_origin=fields.text(key, "keyOrigin", path),
        key_algorithm=fields.text(key, "keyAlgorithm", path),
        created_at=fields.timestamp(key, "validAfterTime", path),
        expires_at=None if fields.is_never(expires_at) else expires_at,
        disabled=bool(fields.flag(key, "disabled", path)),
    )
