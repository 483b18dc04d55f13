"""A rule compiled and ready to evaluate."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from auditor.engine.expressions import Expression, Template
from auditor.engine.spec import RuleSpec
from auditor.model import Severity
from auditor.report import Reference, RuleInfo


@dataclass(frozen=True, slots=True)
class Escalation:
    """A compiled escalation: when it holds, the finding takes `severity`."""

    when: Expression
    severity: Severity
    reason: str


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule with its expressions compiled once and its params resolved."""

    spec: RuleSpec
    path: Path
    when: Expression
    message: Template
    evidence: tuple[tuple[str, Expression], ...]
    params: dict[str, Any]
    escalations: tuple[Escalation, ...] = field(default=())

    @property
    def id(self) -> str:
        """The rule id."""
        return self.spec.id

    @property
    def kind(self) -> str:
        """The resource kind the rule judges."""
        return self.spec.resource

    def with_params(self, overrides: dict[str, Any]) -> Rule:
        """A copy whose params are the defaults updated by `overrides` (names already checked)."""
        return replace(self, params={**self.params, **overrides})

    def info(self) -> RuleInfo:
        """What reports say about this rule."""
        spec = self.spec
        return RuleInfo(
            id=spec.id,
            title=spec.title,
            severity=spec.severity,
            category=spec.category,
            kind=spec.resource,
            description=spec.description.strip(),
            remediation=spec.remediation.strip(),
            references=tuple(
                Reference(
                    title=r.title, url=r.url, benchmark=r.benchmark, version=r.version, item=r.item
                )
                for r in spec.references
            ),
        )
