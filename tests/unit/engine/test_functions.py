"""auditor's own CEL functions behave like the CEL builtins they stand in for."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from auditor.engine.expressions import (
    PARAMS_TABLE,
    ExpressionError,
    compile_expression,
    new_context,
)


def _run(source: str, resource: dict[str, object], params: dict[str, object]) -> object:
    expression = compile_expression(source, rule_id="r", declared_params=frozenset(params))
    context = new_context(datetime(2026, 11, 26, tzinfo=UTC))
    context.add_variable("resource", resource)
    context.add_variable(PARAMS_TABLE, {"r": params})
    return expression.evaluate(context)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("DB_PASSWORD", True), ("db_password", True), ("PASSWORD_FILE", True), ("HOST", False)],
)
def test_re_search_agrees_with_cel_matches(name: str, expected: bool) -> None:
    """re.search has the partial-match semantics of CEL's matches, flags included."""
    params = {"pattern": "(?i)passw(or)?d"}
    assert _run("re.search(resource.name, params.pattern)", {"name": name}, params) is expected
    assert _run("resource.name.matches(params.pattern)", {"name": name}, params) is expected


def test_re_search_over_a_list() -> None:
    """re.search works inside comprehension macros."""
    resource = {"env": [{"name": "A"}, {"name": "API_TOKEN"}]}
    source = "resource.env.filter(e, re.search(e.name, params.p)).map(e, e.name)"
    assert _run(source, resource, {"p": "TOKEN$"}) == ["API_TOKEN"]


def test_bad_pattern_raises_at_evaluation() -> None:
    """An invalid pattern raises, which the engine turns into a rule error, not a pass."""
    with pytest.raises(Exception, match=r"unterminated|missing"):
        _run("re.search(resource.name, params.p)", {"name": "x"}, {"p": "("})


def test_misspelled_namespace_function_is_unknown() -> None:
    """A function outside CEL, the extension libraries and auditor's own is rejected."""
    with pytest.raises(ExpressionError, match="unknown function 'serch'"):
        compile_expression("re.serch(resource.name, 'x')", rule_id="r", declared_params=frozenset())
