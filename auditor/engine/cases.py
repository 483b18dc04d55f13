"""Running every rule's own pass and fail cases (`auditor rules test`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from auditor.engine.evaluate import escalate
from auditor.engine.expressions import PARAMS_TABLE, new_context
from auditor.engine.rule import Rule
from auditor.engine.spec import CaseSpec


@dataclass(frozen=True, slots=True)
class CaseResult:
    """The outcome of one case."""

    rule_id: str
    expected: str  # "pass" or "fail"
    name: str
    ok: bool
    detail: str = ""


def _parse_now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _run(rule: Rule, case: CaseSpec, expected: str) -> CaseResult:
    try:
        now = _parse_now(case.now)
    except ValueError:
        return CaseResult(rule.id, expected, case.name, False, f"now {case.now!r} is not RFC 3339")
    context = new_context(now)
    context.add_variable("resource", case.resource)
    context.add_variable(PARAMS_TABLE, {rule.id: {**rule.params, **case.params}})
    try:
        violated = rule.when.evaluate(context)
    except Exception as exc:  # noqa: BLE001 - a raising rule is a failed case, with the reason
        return CaseResult(rule.id, expected, case.name, False, f"raised: {exc}")
    if not isinstance(violated, bool):
        return CaseResult(rule.id, expected, case.name, False, "'when' is not a boolean")
    if violated != (expected == "fail"):
        verdict = "triggered" if violated else "did not trigger"
        return CaseResult(rule.id, expected, case.name, False, f"expected {expected}, {verdict}")
    if violated:
        message = rule.message.render(context)
        if "<?>" in message:
            return CaseResult(
                rule.id, expected, case.name, False, f"message did not render: {message}"
            )
        if case.severity is not None:
            severity, _ = escalate(rule, context)
            if severity is not case.severity:
                return CaseResult(
                    rule.id,
                    expected,
                    case.name,
                    False,
                    f"expected severity {case.severity.value}, got {severity.value}",
                )
    return CaseResult(rule.id, expected, case.name, True)


def run_cases(rule: Rule) -> list[CaseResult]:
    """Every pass and fail case of `rule`."""
    cases = rule.spec.cases
    passing = [_run(rule, case, "pass") for case in cases.pass_]
    return passing + [_run(rule, case, "fail") for case in cases.fail]
