"""The result of one scan, as every report exporter receives it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from auditor.model import (
    Category,
    EvaluationError,
    Finding,
    FindingStatus,
    ResourceRef,
    Severity,
    SourceHealth,
)

REPORT_SCHEMA_VERSION = "1"


@dataclass(frozen=True, slots=True)
class Reference:
    """A benchmark or document a rule maps to, e.g. CIS GKE Benchmark v1.5.0 item 5.2.1."""

    title: str
    url: str = ""
    benchmark: str = ""
    version: str = ""
    item: str = ""

    def label(self) -> str:
        """'CIS GKE Benchmark v1.5.0 5.2.1', or the title when it is not a benchmark item."""
        if self.benchmark:
            parts = [self.benchmark]
            if self.version:
                parts.append(f"v{self.version}")
            if self.item:
                parts.append(self.item)
            return " ".join(parts)
        return self.title


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What a report needs to say about a rule that was evaluated."""

    id: str
    title: str
    severity: Severity
    category: Category
    kind: str
    description: str
    remediation: str
    references: tuple[Reference, ...] = ()


@dataclass(frozen=True, slots=True)
class ExpiredWaiver:
    """A waiver past its expiry date: it no longer applies, and the report says so."""

    rule: str
    resource: str
    owner: str
    reason: str
    expires: str
    source: str


@dataclass(slots=True)
class ScanReport:
    """Findings, rule errors and source health of one scan.

    `resources` lists every resource evaluated, so a report can show passes too
    (JUnit has a test case per rule and resource of the rule's kind).
    """

    tool_version: str
    generated_at: datetime
    fail_on: Severity | None  # None: report only, nothing fails the gate
    rules: list[RuleInfo] = field(default_factory=list)
    resources: list[ResourceRef] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[EvaluationError] = field(default_factory=list)
    sources: list[SourceHealth] = field(default_factory=list)
    expired_waivers: list[ExpiredWaiver] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def rule(self, rule_id: str) -> RuleInfo | None:
        """The rule with this id, if it was evaluated."""
        for info in self.rules:
            if info.id == rule_id:
                return info
        return None

    def gating(self) -> list[Finding]:
        """Open findings at or above the fail-on severity: the ones that fail the gate."""
        if self.fail_on is None:
            return []
        fail_on = self.fail_on
        return [
            f
            for f in self.findings
            if f.status is FindingStatus.OPEN and f.severity.at_least(fail_on)
        ]

    @property
    def passed(self) -> bool:
        """True when the gate passes: nothing open at or above fail-on and no rule errors.

        With no fail-on severity (report only) the gate always passes.
        """
        if self.fail_on is None:
            return True
        return not self.gating() and not self.errors
