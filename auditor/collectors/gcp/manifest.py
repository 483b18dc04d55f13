"""The permission manifest (permissions.yaml): which IAM permission each API method needs."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

MANIFEST_FILE = "permissions.yaml"


@dataclass(frozen=True, slots=True)
class MethodGrant:
    """One API method the collector calls, and the permission it needs (None: no permission)."""

    method: str
    permission: str | None
    on: str
    why: str


@dataclass(frozen=True, slots=True)
class Manifest:
    """The custom role the collector needs, method by method."""

    role: dict[str, Any]
    methods: dict[str, MethodGrant]

    @property
    def permissions(self) -> list[str]:
        """Every permission needed, sorted and unique: the custom role's includedPermissions."""
        return sorted({m.permission for m in self.methods.values() if m.permission})

    def permission_for(self, method: str) -> str | None:
        """The permission `method` needs; KeyError for a method the manifest does not cover."""
        return self.methods[method].permission


def manifest_text() -> str:
    """The manifest file as shipped."""
    return resources.files(__package__).joinpath(MANIFEST_FILE).read_text(encoding="utf-8")


@functools.cache
def load_manifest() -> Manifest:
    """The parsed manifest (read once, on first use)."""
    document = yaml.safe_load(manifest_text())
    methods = {
        name: MethodGrant(
            method=name,
            permission=entry.get("permission"),
            on=str(entry.get("on", "")),
            why=str(entry.get("why", "")),
        )
        for name, entry in document["methods"].items()
    }
    return Manifest(role=dict(document["role"]), methods=methods)
