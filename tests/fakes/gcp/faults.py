"""What the GCP fakes did: every call logged, and faults injected on chosen calls.

A fault matches a method (full RPC name, as in the gRPC service definition) and optionally a
target (the resource the call names: `projects/acme-x`, `folders/1`, a service account) and
applies a number of times (None: forever). Kinds mirror what Google's APIs really return:
`rate_limited` (HTTP 429 / RESOURCE_EXHAUSTED), `unavailable` (503 / UNAVAILABLE), `deadline`
(the answer comes after the caller's deadline), `denied` (403 / PERMISSION_DENIED naming the
permission) and `malformed` (a body the client cannot decode).
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

FAULT_KINDS = ("rate_limited", "unavailable", "deadline", "denied", "malformed")

# The permission each method needs, from Google's API reference — independent of the
# collector's own manifest, so the manifest test compares two sources.
PERMISSIONS = {
    "google.cloud.resourcemanager.v3.Folders.ListFolders": "resourcemanager.folders.list",
    "google.cloud.resourcemanager.v3.Folders.GetFolder": "resourcemanager.folders.get",
    "google.cloud.resourcemanager.v3.Folders.GetIamPolicy": "resourcemanager.folders.getIamPolicy",
    "google.cloud.resourcemanager.v3.Organizations.GetIamPolicy": (
        "resourcemanager.organizations.getIamPolicy"
    ),
    "google.cloud.resourcemanager.v3.Projects.ListProjects": "resourcemanager.projects.list",
    "google.cloud.resourcemanager.v3.Projects.GetProject": "resourcemanager.projects.get",
    "google.cloud.resourcemanager.v3.Projects.GetIamPolicy": "resourcemanager.projects.getIamPolicy",
    "google.iam.admin.v1.IAM.ListServiceAccounts": "iam.serviceAccounts.list",
    "google.iam.admin.v1.IAM.ListServiceAccountKeys": "iam.serviceAccountKeys.list",
    "google.iam.admin.v1.IAM.ListRoles": "iam.roles.list",
    "google.iam.admin.v1.IAM.GetRole": "iam.roles.get",
    "google.monitoring.v3.MetricService.ListTimeSeries": "monitoring.timeSeries.list",
    "google.cloud.asset.v1.AssetService.SearchAllIamPolicies": (
        "cloudasset.assets.searchAllIamPolicies"
    ),
    "google.cloud.asset.v1.AssetService.SearchAllResources": "cloudasset.assets.searchAllResources",
}


@dataclass
class Fault:
    """One injected fault."""

    method: str
    kind: str
    target: str | None = None
    times: int | None = 1

    def __post_init__(self) -> None:
        assert self.kind in FAULT_KINDS, self.kind
        assert self.method in PERMISSIONS, self.method


@dataclass(frozen=True)
class Call:
    """One call a fake served."""

    method: str
    target: str
    page_token: str
    outcome: str  # ok, not_found, invalid, or a fault kind


@dataclass
class FakeRecord:
    """The faults to apply and the calls served, shared by the three fakes."""

    faults: list[Fault] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def inject(self, fault: Fault) -> None:
        """Add a fault."""
        with self._lock:
            self.faults.append(fault)

    def take(self, method: str, target: str) -> str | None:
        """The fault kind this call meets (consuming one use), or None."""
        with self._lock:
            for fault in self.faults:
                if fault.method != method or (fault.target and fault.target != target):
                    continue
                if fault.times is not None:
                    if fault.times <= 0:
                        continue
                    fault.times -= 1
                return fault.kind
        return None

    def log(self, method: str, target: str, page_token: str, outcome: str) -> None:
        """Record a call."""
        with self._lock:
            self.calls.append(Call(method, target, page_token, outcome))

    def reset(self) -> None:
        """Forget faults and calls (between tests sharing the fakes)."""
        with self._lock:
            self.faults.clear()
            self.calls.clear()

    def methods(self) -> set[str]:
        """Every method called."""
        with self._lock:
            return {call.method for call in self.calls}

    def count(self, outcome: str | None = None) -> Counter[str]:
        """Calls per method (with `outcome` only, when given)."""
        with self._lock:
            return Counter(c.method for c in self.calls if outcome is None or c.outcome == outcome)

    def targets(self, method: str) -> list[str]:
        """Targets of the calls of `method`, in order."""
        with self._lock:
            return [c.target for c in self.calls if c.method == method]


def denial_message(method: str, resource: str) -> str:
    """The message Google gives a denied call."""
    return (
        f"Permission '{PERMISSIONS[method]}' denied on resource '{resource}' (or it may not exist)."
    )
