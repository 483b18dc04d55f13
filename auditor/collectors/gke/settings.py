"""`type: gke` sources: one Kubernetes cluster (a kubeconfig context, or the pod's own cluster)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from auditor.collectors.base import SourceSettings

_GLOB = re.compile(r"[*?\[]")
_NAMESPACE_PATTERN = re.compile(r"^[a-z0-9*?\[\]!-]+$")


class NamespaceFilter(BaseModel):
    """Which namespaces are read. Patterns are shell globs (`team-*`) on the namespace name."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)

    include: list[str] = Field(
        default_factory=list,
        description="Only these namespaces (default: all). Exact names are listed one namespace "
        "at a time, so namespaced RoleBindings suffice (docs/sources/gke.md).",
    )
    exclude: list[str] = Field(default_factory=list, description="Never these namespaces.")

    @field_validator("include", "exclude")
    @classmethod
    def _patterns(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            if not _NAMESPACE_PATTERN.match(pattern):
                raise ValueError(
                    f"{pattern!r} is not a namespace name or glob (lowercase letters, digits, "
                    "'-', and * ? [ ])"
                )
        return patterns

    def named(self) -> tuple[str, ...] | None:
        """The included namespaces when every entry is an exact name (no glob), else None."""
        if not self.include or any(_GLOB.search(p) for p in self.include):
            return None
        return tuple(dict.fromkeys(self.include))


class GkeSettings(SourceSettings):
    """`type: gke` — workloads, network policies, disruption budgets and RBAC of one cluster."""

    type: Literal["gke"] = "gke"
    timeout_seconds: float = Field(
        default=120.0, gt=0, description="Whole collection deadline (large clusters: more)."
    )
    interval_seconds: float = Field(default=300.0, gt=0, description="Daemon: how often.")
    kubeconfig: Path | None = Field(
        default=None,
        description="kubeconfig file (default: $KUBECONFIG, else ~/.kube/config). For GKE its "
        "user runs gke-gcloud-auth-plugin; never put a token in auditor.yaml.",
    )
    context: str | None = Field(
        default=None, description="kubeconfig context (default: its current-context)."
    )
    in_cluster: bool = Field(
        default=False,
        description="Use the pod's service account (auditor running in the cluster it audits).",
    )
    cluster: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="Cluster name in resource ids (default: the source name). Give manifests the "
        "same name (`auditor scan --cluster`) so findings match before and after a release.",
    )
    namespaces: NamespaceFilter = Field(
        default_factory=NamespaceFilter, description="Namespaces read: include/exclude globs."
    )
    page_size: int = Field(
        default=500, ge=1, le=10000, description="Objects per list call (limit/continue)."
    )
    connect_timeout_seconds: float = Field(default=5.0, gt=0, le=300)
    request_timeout_seconds: float = Field(
        default=30.0, gt=0, le=600, description="Per API call (one page)."
    )
    max_attempts: int = Field(
        default=5, ge=1, le=20, description="Tries per call on 429, 5xx and network errors."
    )
    max_parallel_lists: int = Field(default=4, ge=1, le=16, description="Kinds listed at once.")

    @model_validator(mode="after")
    def _one_way_in(self) -> GkeSettings:
        if self.in_cluster and (self.kubeconfig is not None or self.context is not None):
            raise ValueError(
                "in_cluster uses the pod's service account: give either in_cluster or "
                "kubeconfig/context, not both"
            )
        return self

    @property
    def cluster_name(self) -> str:
        """The cluster name used in resource ids."""
        return self.cluster or self.name

    @property
    def credentials(self) -> Literal["in-cluster", "kubeconfig"]:
        """Where the credentials come from."""
        return "in-cluster" if self.in_cluster else "kubeconfig"
