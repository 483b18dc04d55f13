"""API discovery documents (/api, /api/v1, /apis, /apis/GROUP[/VERSION]) for the served kinds.

kmock writes the core group's version as "/v1", which kubectl rejects, so the shim answers
discovery from its own table (kubectl needs it; the collector does not call it).
"""

from __future__ import annotations

from typing import Any

from tests.fakes.k8s.resources import SERVED

_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


def discovery(path: str) -> dict[str, Any] | None:
    """The discovery document at `path`, or None when `path` is not a discovery path."""
    parts = path.strip("/").split("/")
    if parts == ["api"]:
        return {
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": ""}],
        }
    if parts == ["api", "v1"]:
        return _resource_list("", "v1")
    if parts == ["apis"]:
        return {
            "kind": "APIGroupList",
            "apiVersion": "v1",
            "groups": [_group(g) for g in _groups()],
        }
    if len(parts) == 2 and parts[0] == "apis" and parts[1] in _groups():
        return {"kind": "APIGroup", "apiVersion": "v1", **_group(parts[1])}
    if len(parts) == 3 and parts[0] == "apis" and parts[1] in _groups():
        return _resource_list(parts[1], parts[2])
    return None


def _groups() -> list[str]:
    return sorted({r.group for r in SERVED if r.group})


def _group(name: str) -> dict[str, Any]:
    versions = sorted({r.version for r in SERVED if r.group == name}, reverse=True)
    entries = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
    return {"name": name, "versions": entries, "preferredVersion": entries[0]}


def _resource_list(group: str, version: str) -> dict[str, Any] | None:
    served = [r for r in SERVED if (r.group, r.version) == (group, version)]
    if not served:
        return None
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": served[0].api_version,
        "resources": [
            {
                "name": r.plural,
                "singularName": r.kind.lower(),
                "namespaced": r.namespaced,
                "kind": r.kind,
                "verbs": list(_VERBS),
                "storageVersionHash": "",
            }
            for r in served
        ],
    }
