"""Escalations raise a finding's severity when the resource is worse off (e.g. it holds PII)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.engine.cases import run_cases
from auditor.engine.evaluate import Engine
from auditor.engine.loader import load_rule_file
from auditor.errors import RuleError
from auditor.model import Resource, Severity
from tests.conftest import VALID_RULE

ESCALATION = """\
escalations:
  - when: resource.pii
    severity: critical
    reason: the namespace holds PII
"""


def _rule_text(escalation: str = ESCALATION) -> str:
    text = VALID_RULE.format(id="test-min-replicas")
    text = text.replace("references:", escalation + "references:")
    return text.replace("{name: api, replicas: 2}", "{name: api, replicas: 2, pii: true}").replace(
        "{name: api, replicas: 1}", "{name: api, replicas: 1, pii: false}"
    )


def _workload(pii: object) -> Resource:
    data = {"name": "api", "replicas": 1, "pii": pii}
    return Resource(kind="k8s.workload", id=f"w{pii}", source="s", scope="c/ns", data=data)


def test_escalation_raises_severity_and_says_why(write_rule: Callable[..., Path]) -> None:
    """Only the finding on the PII resource is critical, with the reason in its evidence."""
    engine = Engine([load_rule_file(write_rule(text=_rule_text()))])
    findings = engine.evaluate([_workload(True), _workload(False)], datetime.now(UTC)).findings
    by_id = {f.resource.id: f for f in findings}
    assert by_id["wTrue"].severity is Severity.CRITICAL
    assert by_id["wTrue"].evidence["escalated"] == "the namespace holds PII"
    assert by_id["wFalse"].severity is Severity.MEDIUM
    assert "escalated" not in by_id["wFalse"].evidence


def test_broken_escalation_keeps_the_finding(write_rule: Callable[..., Path]) -> None:
    """An escalation that raises leaves the base severity; the violation is still reported."""
    engine = Engine([load_rule_file(write_rule(text=_rule_text()))])
    [finding] = engine.evaluate([_workload("yes")], datetime.now(UTC)).findings
    assert finding.severity is Severity.MEDIUM


def test_escalation_must_raise(write_rule: Callable[..., Path]) -> None:
    """An escalation to a severity not above the rule's is a validation error at its line."""
    text = _rule_text(ESCALATION.replace("critical", "low"))
    with pytest.raises(RuleError) as caught:
        load_rule_file(write_rule(text=text))
    assert "escalations[0].severity low must be above the rule's severity medium" in str(
        caught.value
    )
    assert caught.value.line == 14


def test_case_can_expect_an_escalated_severity(write_rule: Callable[..., Path]) -> None:
    """A fail case's `severity` is checked against the escalated severity."""
    text = _rule_text().replace(
        "{name: api, replicas: 1, pii: false}",
        "{name: api, replicas: 1, pii: true}\n      severity: high",
    )
    [_, failing] = run_cases(load_rule_file(write_rule(text=text)))
    assert failing.detail == "expected severity high, got critical"
