"""Permissions of the predefined roles granted in the scanned policies, cached with a TTL.

Google changes predefined roles rarely and any caller may read them, so each role is asked
once per `role_cache_ttl_hours` for the collector's lifetime, not once per collection. The
`gcp.predefined_role` resources let rules reason about what a grant really allows.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from google.cloud import iam_admin_v1

from auditor.collectors.gcp.calls import Api, ApiCaller, CallFailed, FailureKind, Method
from auditor.collectors.gcp.clients import GcpClients
from auditor.collectors.gcp.messages import as_json
from auditor.collectors.gcp.tasks import Tasks
from auditor.gcp.custom_roles import STAGES
from auditor.gcp.roles import parse_role
from auditor.model import Resource

PREDEFINED_ROLE_KIND = "gcp.predefined_role"
PREDEFINED_SCOPE = "roles"


def predefined_role_facts(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The resource data of a role as `gcloud iam roles describe roles/NAME --format=json`
    prints it; ValueError when it is not a predefined role."""
    name = raw.get("name")
    if not isinstance(name, str) or not name.startswith("roles/"):
        raise ValueError(f"{name!r} is not a predefined role name (roles/NAME)")
    role = parse_role(name)
    permissions = raw.get("includedPermissions") or []
    if not isinstance(permissions, list) or not all(isinstance(p, str) for p in permissions):
        raise ValueError(f"{name}: includedPermissions is not a list of strings")
    stage = raw.get("stage")
    return {
        "role": name,
        "role_name": role.role_name,
        "role_type": role.role_type,
        "is_admin_role": role.is_admin_role,
        "title": raw.get("title") or None,
        "description": raw.get("description") or None,
        "stage": stage if stage in STAGES else None,
        "deleted": bool(raw.get("deleted")),
        "permissions": sorted(set(permissions)),
    }


class RoleCache:
    """Facts per predefined role, each kept for `ttl_seconds` (a collector's lifetime)."""

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._entries: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def stale(self, roles: Iterable[str]) -> list[str]:
        """Those of `roles` never read, or read longer than the TTL ago."""
        now = self._clock()
        with self._lock:
            return sorted(
                role
                for role in set(roles)
                if role not in self._entries or now - self._entries[role][0] >= self.ttl_seconds
            )

    def put(self, role: str, facts: dict[str, Any]) -> None:
        """Remember a role's facts from now."""
        with self._lock:
            self._entries[role] = (self._clock(), facts)

    def get(self, role: str) -> dict[str, Any] | None:
        """The facts last read for `role` (perhaps stale, if a refresh failed)."""
        with self._lock:
            entry = self._entries.get(role)
        return entry[1] if entry else None


def refresh(
    cache: RoleCache, roles: Iterable[str], clients: GcpClients, caller: ApiCaller, tasks: Tasks
) -> None:
    """Submit a GetRole for each stale role; a role Google no longer has is dropped."""

    def read(role: str) -> None:
        request = iam_admin_v1.GetRoleRequest(name=role)
        try:
            response = caller.call(
                Api.IAM,
                Method.GET_ROLE,
                role,
                lambda timeout: clients.iam.get_role(request=request, retry=None, timeout=timeout),
            )
        except CallFailed as failure:
            if failure.kind is FailureKind.NOT_FOUND:
                return
            raise failure.so("its permissions are not known") from None
        try:
            cache.put(role, predefined_role_facts(as_json(response)))
        except ValueError as exc:
            raise CallFailed(
                FailureKind.PROTOCOL, Method.GET_ROLE, role, f"returned a malformed role ({exc})"
            ) from None

    for role in cache.stale(roles):
        tasks.submit(Api.IAM, read, role)


def role_resources(
    cache: RoleCache, roles: Iterable[str], source: str, observed_at: datetime | None
) -> list[Resource]:
    """A gcp.predefined_role per role known in the cache."""
    resources = []
    for role in sorted(set(roles)):
        facts = cache.get(role)
        if facts is not None:
            resources.append(
                Resource(
                    PREDEFINED_ROLE_KIND, role, source, PREDEFINED_SCOPE, dict(facts), observed_at
                )
            )
    return resources
