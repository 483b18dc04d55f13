"""IAM allow policies of the organization, folders and projects, read at version 3 (so
conditional bindings keep their conditions) and handed to the shared normaliser as snapshots
with their ancestors and labels — exactly what policy files give the static loader.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from google.iam.v1 import iam_policy_pb2, options_pb2  # type: ignore[import-untyped]

from auditor.collectors.gcp.calls import Api, ApiCaller, CallFailed, FailureKind, Method
from auditor.collectors.gcp.clients import GcpClients
from auditor.collectors.gcp.discovery import Hierarchy
from auditor.collectors.gcp.messages import as_json
from auditor.collectors.gcp.tasks import Tasks
from auditor.gcp.iam import PolicySnapshot
from auditor.gcp.policy import PolicyFormatError

POLICY_VERSION = 3

_METHODS = {
    "projects": Method.PROJECT_POLICY,
    "folders": Method.FOLDER_POLICY,
    "organizations": Method.ORGANIZATION_POLICY,
}


def _consequence(scope: str) -> str:
    if scope.startswith("projects/"):
        return "its bindings and audit configs are not judged"
    return "its bindings, and what they grant on the projects below, are not judged"


class PolicyReader:
    """Reads every policy of a hierarchy, concurrently; failures are kept per scope."""

    def __init__(self, clients: GcpClients, caller: ApiCaller, tasks: Tasks) -> None:
        self.clients = clients
        self.caller = caller
        self.tasks = tasks
        self.policies: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def start(self, hierarchy: Hierarchy) -> None:
        """Submit a read for each container seen and each project to scan."""
        scopes = sorted(hierarchy.containers) + [p.scope for p in hierarchy.projects]
        for scope in scopes:
            self.tasks.submit(Api.RESOURCE_MANAGER, self._read, scope)

    def _getter(self, scope: str) -> Callable[..., Any]:
        collection = scope.split("/", 1)[0]
        client: Any = {
            "projects": self.clients.projects,
            "folders": self.clients.folders,
            "organizations": self.clients.organizations,
        }[collection]
        return client.get_iam_policy  # type: ignore[no-any-return]

    def _read(self, scope: str) -> None:
        method = _METHODS[scope.split("/", 1)[0]]
        request = iam_policy_pb2.GetIamPolicyRequest(
            resource=scope, options=options_pb2.GetPolicyOptions(requested_policy_version=3)
        )
        get = self._getter(scope)
        try:
            policy = self.caller.call(
                Api.RESOURCE_MANAGER,
                method,
                scope,
                lambda timeout: get(request=request, retry=None, timeout=timeout),
            )
        except CallFailed as failure:
            raise failure.so(_consequence(scope)) from None
        with self._lock:
            self.policies[scope] = as_json(policy)

    def drop_malformed(self, error: PolicyFormatError) -> CallFailed:
        """Forget the policy the normaliser refused; the failure that names it."""
        scope = error.scope
        with self._lock:
            self.policies.pop(scope, None)
        return CallFailed(
            FailureKind.PROTOCOL,
            _METHODS[scope.split("/", 1)[0]],
            scope,
            f"returned a malformed policy ({error})",
            _consequence(scope),
        )

    def snapshots(self, hierarchy: Hierarchy) -> list[PolicySnapshot]:
        """A snapshot per policy read: ancestors nearest first, a project's labels."""
        labels = {p.scope: p.labels for p in hierarchy.projects}
        return [
            PolicySnapshot(
                scope=scope,
                policy=policy,
                ancestors=hierarchy.ancestors(scope),
                labels=labels.get(scope, {}),
            )
            for scope, policy in sorted(self.policies.items())
        ]
