"""The shared vocabulary: what sources produce, what the engine reads and what exporters print.

Nothing here knows where a resource came from or where a finding goes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How bad a finding is; ordered from worst to mildest."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: critical=4 … info=0."""
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> bool:
        """True when this severity is as bad as `other` or worse."""
        return self.rank >= other.rank


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class Category(StrEnum):
    """The compliance family a rule belongs to."""

    ZERO_TRUST = "zero-trust"
    LEAST_PRIVILEGE = "least-privilege"
    PII = "pii"
    HA = "ha"
    FRESHNESS = "freshness"
    HYGIENE = "hygiene"


class FindingStatus(StrEnum):
    """Where a finding stands after waivers and baselines are applied."""

    OPEN = "open"
    WAIVED = "waived"
    BASELINED = "baselined"


@dataclass(frozen=True, slots=True)
class PiiLabel:
    """The label that marks a project, namespace or object as holding personal data
    (auditor.yaml `pii`); every loader and collector uses the same one."""

    key: str = "data-classification"
    values: tuple[str, ...] = ("pii",)

    def matches(self, labels: Mapping[str, str]) -> bool:
        """True when `labels` carries the PII label with one of its values."""
        return labels.get(self.key) in self.values


@dataclass(frozen=True, slots=True)
class Location:
    """Where a resource was declared, for static inputs (manifests, policy files, plans).

    `address` names the declaration inside the file where lines alone don't (the Terraform
    address of a planned resource, `module.iam.google_project_iam_member.etl`).
    """

    file: str
    line: int
    address: str | None = None


@dataclass(slots=True)
class Resource:
    """One normalised thing a rule can judge.

    `data` is what rules see as `resource`; its shape per kind is documented in
    docs/resource-kinds.md and is the same whether a static loader or a live collector made it.
    """

    kind: str
    id: str
    source: str
    scope: str
    data: dict[str, Any]
    observed_at: datetime | None = None
    location: Location | None = None

    @property
    def name(self) -> str:
        """A short human name: the data's `name` if it has one, else the id."""
        name = self.data.get("name")
        return name if isinstance(name, str) and name else self.id


@dataclass(frozen=True, slots=True)
class ResourceRef:
    """The identity of a resource as a finding carries it."""

    kind: str
    id: str
    scope: str
    source: str
    location: Location | None = None

    @classmethod
    def of(cls, resource: Resource) -> ResourceRef:
        """The reference to `resource`."""
        return cls(
            kind=resource.kind,
            id=resource.id,
            scope=resource.scope,
            source=resource.source,
            location=resource.location,
        )


def fingerprint(rule_id: str, kind: str, resource_id: str) -> str:
    """A stable identity for (rule, resource): the same on every run and every machine."""
    digest = hashlib.sha256("\x1f".join((rule_id, kind, resource_id)).encode("utf-8"))
    return digest.hexdigest()[:32]


@dataclass(slots=True)
class Finding:
    """A rule's verdict that one resource violates it."""

    rule_id: str
    severity: Severity
    category: Category
    resource: ResourceRef
    message: str
    remediation: str
    evidence: dict[str, Any] = field(default_factory=dict)
    status: FindingStatus = FindingStatus.OPEN
    status_reason: str = ""
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    @property
    def fingerprint(self) -> str:
        """Stable hash of (rule_id, kind, id)."""
        return fingerprint(self.rule_id, self.resource.kind, self.resource.id)


@dataclass(frozen=True, slots=True)
class EvaluationError:
    """A rule that raised on one resource: reported, never a crash and never a silent pass."""

    rule_id: str
    resource: ResourceRef
    error: str


@dataclass(slots=True)
class SourceHealth:
    """How the last collection of one source went. `error` never carries secrets."""

    name: str
    type: str
    up: bool
    last_success: datetime | None = None
    duration_seconds: float = 0.0
    error: str = ""
    resources: int = 0


@dataclass(slots=True)
class Inventory:
    """Every resource collected in one pass, grouped by kind, plus the health of each source."""

    resources: list[Resource] = field(default_factory=list)
    sources: list[SourceHealth] = field(default_factory=list)

    def add(self, resources: Iterable[Resource]) -> None:
        """Append resources."""
        self.resources.extend(resources)

    def by_kind(self) -> Mapping[str, list[Resource]]:
        """Resources grouped by kind, in insertion order."""
        grouped: dict[str, list[Resource]] = {}
        for resource in self.resources:
            grouped.setdefault(resource.kind, []).append(resource)
        return grouped

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)
