"""The engine judges each resource with every rule of its kind and never crashes on a rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from auditor.engine.evaluate import Engine
from auditor.engine.loader import load_rule_file
from auditor.model import Category, FindingStatus, Resource, Severity, fingerprint
from tests.conftest import VALID_RULE

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def _workload(name: str, replicas: object) -> Resource:
    return Resource(
        kind="k8s.workload",
        id=f"c/ns/Deployment/{name}",
        source="manifests",
        scope="c/ns",
        data={"name": name, "replicas": replicas},
    )


def test_violation_becomes_a_finding_with_rendered_message(
    write_rule: Callable[..., Path],
) -> None:
    """A resource that violates the rule yields one open finding with message and evidence."""
    engine = Engine([load_rule_file(write_rule())])
    result = engine.evaluate([_workload("api", 1), _workload("web", 3)], NOW)
    assert result.checks == 2
    assert not result.errors
    [finding] = result.findings
    assert finding.rule_id == "test-min-replicas"
    assert finding.severity is Severity.MEDIUM
    assert finding.category is Category.HA
    assert finding.status is FindingStatus.OPEN
    assert finding.message == "api runs 1 replica(s); needs 2"
    assert finding.evidence == {"replicas": 1}
    assert finding.resource.id == "c/ns/Deployment/api"


def test_param_override_changes_the_verdict(write_rule: Callable[..., Path]) -> None:
    """Params overridden from config are what the expression sees."""
    rule = load_rule_file(write_rule()).with_params({"min_replicas": 4})
    result = Engine([rule]).evaluate([_workload("web", 3)], NOW)
    assert [f.message for f in result.findings] == ["web runs 3 replica(s); needs 4"]


def test_rule_that_raises_is_an_error_entry_not_a_pass(write_rule: Callable[..., Path]) -> None:
    """A missing field or type error is reported per rule and resource; the scan goes on."""
    engine = Engine([load_rule_file(write_rule())])
    broken = Resource(kind="k8s.workload", id="c/ns/Deployment/x", source="s", scope="c/ns",
                      data={"name": "x"})  # fmt: skip
    result = engine.evaluate([broken, _workload("api", "two"), _workload("ok", 5)], NOW)
    assert [e.resource.id for e in result.errors] == [
        "c/ns/Deployment/x",
        "c/ns/Deployment/api",
    ]
    assert "replicas" in result.errors[0].error
    assert result.findings == []
    assert result.checks == 3


def test_non_boolean_when_is_an_error(write_rule: Callable[..., Path]) -> None:
    """A `when` that yields a number is a rule error, not a silent pass."""
    text = VALID_RULE.format(id="test-min-replicas").replace(
        "when: resource.replicas < params.min_replicas", "when: resource.replicas"
    )
    result = Engine([load_rule_file(write_rule(text=text))]).evaluate([_workload("a", 1)], NOW)
    assert result.errors[0].error == "'when' returned int, expected a boolean"


def test_resources_of_other_kinds_are_not_judged(write_rule: Callable[..., Path]) -> None:
    """Rules only see resources of their own kind."""
    other = Resource(kind="gcp.iam_binding", id="b", source="s", scope="p", data={})
    result = Engine([load_rule_file(write_rule())]).evaluate([other], NOW)
    assert result.checks == 0
    assert result.findings == []


def test_fingerprint_is_stable_and_distinguishes_resources() -> None:
    """The fingerprint depends only on rule, kind and id, and never changes between releases."""
    first = fingerprint("r", "k8s.workload", "c/ns/Deployment/api")
    assert first == fingerprint("r", "k8s.workload", "c/ns/Deployment/api")
    # Golden value: changing the scheme would silently invalidate every user's baseline.
    assert first == "4a2741f0f7608f65a02b80b38fa8cb14"
    assert first != fingerprint("r", "k8s.workload", "c/ns/Deployment/web")
    assert first != fingerprint("r2", "k8s.workload", "c/ns/Deployment/api")


def test_now_is_available_to_rules(write_rule: Callable[..., Path]) -> None:
    """`now` is the evaluation time, comparable with timestamps."""
    text = VALID_RULE.format(id="test-min-replicas").replace(
        "when: resource.replicas < params.min_replicas",
        "when: now > timestamp('2026-01-01T00:00:00Z') && resource.replicas < params.min_replicas",
    )
    rule = load_rule_file(write_rule(text=text))
    assert len(Engine([rule]).evaluate([_workload("a", 1)], NOW).findings) == 1
    past = datetime(2025, 1, 1, tzinfo=UTC)
    assert Engine([rule]).evaluate([_workload("a", 1)], past).findings == []
