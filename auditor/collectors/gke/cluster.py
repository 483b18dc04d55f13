"""The `k8s.cluster` resource: which cluster a `gke` source read, its version, and what it
could and could not read.

Every other k8s.* resource carries the cluster name in its id and its `cluster` field, and is
identical to the one its manifest makes; what only a live cluster knows lives here once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from auditor.collectors.gke.settings import GkeSettings
from auditor.model import Resource

CLUSTER_KIND = "k8s.cluster"
_DIGITS = re.compile(r"\d+")


def cluster_resource(
    settings: GkeSettings,
    *,
    context: str | None,
    version: Mapping[str, Any] | None,
    kinds_read: Sequence[str],
    kinds_unreadable: Sequence[str],
    observed_at: datetime,
) -> Resource:
    """The k8s.cluster resource of one collection; `version` is the /version answer, if any."""
    name = settings.cluster_name
    git_version = _text(version, "gitVersion")
    return Resource(
        kind=CLUSTER_KIND,
        id=name,
        source=settings.name,
        scope=name,
        observed_at=observed_at,
        data={
            "name": name,
            "cluster": name,
            "credentials": settings.credentials,
            "context": context,
            "version": git_version,
            "version_major": _number(version, "major"),
            "version_minor": _number(version, "minor"),
            "platform": _text(version, "platform"),
            "gke": git_version is not None and "-gke." in git_version,
            "namespaces_include": list(settings.namespaces.include),
            "namespaces_exclude": list(settings.namespaces.exclude),
            "kinds_read": sorted(kinds_read),
            "kinds_unreadable": sorted(kinds_unreadable),
        },
    )


def _text(version: Mapping[str, Any] | None, key: str) -> str | None:
    value = version.get(key) if version else None
    return value if isinstance(value, str) and value else None


def _number(version: Mapping[str, Any] | None, key: str) -> int | None:
    # Managed offerings write minors like "30+"; the digits are the version.
    text = _text(version, key)
    match = _DIGITS.match(text) if text else None
    return int(match.group()) if match else None
