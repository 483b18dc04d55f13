"""`auditor rules test` catches rules whose cases do not hold."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from auditor.engine.cases import run_cases
from auditor.engine.loader import load_rule_file
from tests.conftest import VALID_RULE


def test_cases_of_a_correct_rule_pass(write_rule: Callable[..., Path]) -> None:
    """Both cases of the example rule hold."""
    results = run_cases(load_rule_file(write_rule()))
    assert [(r.expected, r.ok) for r in results] == [("pass", True), ("fail", True)]


def test_wrong_expectation_is_reported(write_rule: Callable[..., Path]) -> None:
    """A pass case that triggers is a failed case with the reason."""
    text = VALID_RULE.format(id="test-min-replicas").replace(
        "resource: {name: api, replicas: 2}", "resource: {name: api, replicas: 0}"
    )
    [passing, _] = run_cases(load_rule_file(write_rule(text=text)))
    assert not passing.ok
    assert passing.detail == "expected pass, triggered"


def test_case_params_override_defaults(write_rule: Callable[..., Path]) -> None:
    """A case's params replace the defaults for that case only."""
    text = VALID_RULE.format(id="test-min-replicas").replace(
        "resource: {name: api, replicas: 2}",
        "resource: {name: api, replicas: 2}\n      params: {min_replicas: 3}",
    )
    [passing, failing] = run_cases(load_rule_file(write_rule(text=text)))
    assert passing.detail == "expected pass, triggered"
    assert failing.ok


def test_message_must_render_on_fail_cases(write_rule: Callable[..., Path]) -> None:
    """A placeholder naming a field the resource lacks fails the case."""
    text = VALID_RULE.format(id="test-min-replicas").replace(
        "{{resource.name}}", "{{resource.nmae}}"
    )
    [_, failing] = run_cases(load_rule_file(write_rule(text=text)))
    assert not failing.ok
    assert failing.detail.startswith("message did not render")


def test_raising_case_is_a_failure(write_rule: Callable[..., Path]) -> None:
    """A case resource missing a field the rule reads fails with the error."""
    text = VALID_RULE.format(id="test-min-replicas").replace(
        "resource: {name: api, replicas: 1}", "resource: {name: api}"
    )
    [_, failing] = run_cases(load_rule_file(write_rule(text=text)))
    assert not failing.ok
    assert failing.detail.startswith("raised:")
