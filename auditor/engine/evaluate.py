"""Judging resources: every rule of a resource's kind, against one CEL context per resource."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from auditor.engine.expressions import PARAMS_TABLE, new_context
from auditor.engine.rule import Rule
from auditor.model import EvaluationError, Finding, Resource, ResourceRef, Severity


@dataclass(slots=True)
class Evaluation:
    """What one pass over an inventory found."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[EvaluationError] = field(default_factory=list)
    checks: int = 0


def _plain(value: Any) -> Any:
    """CEL results made JSON-safe for evidence."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


class Engine:
    """Rules indexed by the kind they judge."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        self._by_kind: dict[str, list[Rule]] = {}
        for rule in self.rules:
            self._by_kind.setdefault(rule.kind, []).append(rule)

    def kinds(self) -> set[str]:
        """Resource kinds at least one rule judges."""
        return set(self._by_kind)

    def evaluate(self, resources: Iterable[Resource], now: datetime) -> Evaluation:
        """Every applicable rule against every resource.

        A rule that raises, or whose `when` is not a boolean, becomes an error entry for that
        rule and resource: it never stops the scan and never counts as a pass.
        """
        result = Evaluation()
        context = new_context(now)
        context.add_variable(PARAMS_TABLE, {rule.id: rule.params for rule in self.rules})
        for resource in resources:
            rules = self._by_kind.get(resource.kind)
            if not rules:
                continue
            ref = ResourceRef.of(resource)
            # The resource dict is converted to CEL values once and shared by all its rules.
            try:
                context.add_variable("resource", resource.data)  # the only per-resource add
            except ValueError as exc:  # data CEL cannot hold (a null mapping key): every rule errs
                result.checks += len(rules)
                result.errors.extend(_error(rule, ref, exc) for rule in rules)
                continue
            for rule in rules:
                result.checks += 1
                try:
                    violated = rule.when.evaluate(context)
                except Exception as exc:  # noqa: BLE001 - any rule failure is reported, not raised
                    result.errors.append(_error(rule, ref, exc))
                    continue
                if not isinstance(violated, bool):
                    result.errors.append(
                        EvaluationError(
                            rule_id=rule.id,
                            resource=ref,
                            error=f"'when' returned {type(violated).__name__}, expected a boolean",
                        )
                    )
                elif violated:
                    result.findings.append(_finding(rule, ref, context))
        return result


def _error(rule: Rule, ref: ResourceRef, exc: Exception) -> EvaluationError:
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, KeyError):
        text = f"no such field {text} on the resource"
    return EvaluationError(rule_id=rule.id, resource=ref, error=text.splitlines()[0])


def escalate(rule: Rule, context: Any) -> tuple[Severity, str | None]:
    """The finding's severity: the first escalation that holds, else the rule's own.

    An escalation that raises is treated as not holding; it must never drop the finding.
    """
    for escalation in rule.escalations:
        try:
            holds = escalation.when.evaluate(context) is True
        except Exception:  # noqa: BLE001 - see above
            holds = False
        if holds:
            return escalation.severity, escalation.reason
    return rule.spec.severity, None


def _finding(rule: Rule, ref: ResourceRef, context: Any) -> Finding:
    evidence: dict[str, Any] = {}
    for name, expression in rule.evidence:
        try:
            evidence[name] = _plain(expression.evaluate(context))
        except Exception:  # noqa: BLE001 - evidence is best effort; the finding still stands
            evidence[name] = None
    spec = rule.spec
    severity, reason = escalate(rule, context)
    if reason is not None:
        evidence["escalated"] = reason
    return Finding(
        rule_id=spec.id,
        severity=severity,
        category=spec.category,
        resource=ref,
        message=" ".join(rule.message.render(context).split()),
        remediation=spec.remediation.strip(),
        evidence=evidence,
    )
