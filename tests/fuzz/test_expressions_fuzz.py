"""CEL under fuzzing: any expression text compiles or is an ExpressionError; the bundled rules
judge any resource data without raising (a rule that fails is an evaluation error entry); the
`re.search` function takes any text and pattern."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.engine.evaluate import Engine, Evaluation
from auditor.engine.expressions import (
    KNOWN_FUNCTIONS,
    Expression,
    ExpressionError,
    compile_expression,
    compile_template,
    regex_search,
)
from auditor.engine.rule import Rule
from auditor.model import Resource
from tests.fuzz.mutations import fuzz_settings, json_values, mutated
from tests.fuzz.rule_text import single_rule
from tests.fuzz.seeds import bundled_rules, rule_documents

PARAMS = frozenset({"threshold", "names", "pattern"})
NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def _compile(source: str) -> Expression | ExpressionError:
    try:
        return compile_expression(source, rule_id="fuzz-rule", declared_params=PARAMS)
    except ExpressionError as exc:
        assert "\n" not in str(exc), exc
        return exc


# Pieces of real expressions, so generated text is often well-formed enough to reach the checks.
_ATOMS = st.sampled_from(
    [
        "resource", "resource.name", "resource.containers", "resource.replicas", "params",
        "params.threshold", "params.names", "params.undeclared", "now", "c", "x", "unknown",
        "1", "-1", "1u", "2.5", "'a'", '"b"', "r'(a'", "b'x'", "true", "null", "[]", "{}",
        "[1, 'a']", "{'k': 1}", "int", "timestamp('2026-01-01T00:00:00Z')", "duration('1h')",
    ]
)  # fmt: skip
_OPERATORS = st.sampled_from(
    [" && ", " || ", " == ", " != ", " < ", " >= ", " + ", " - ", " * ", " / ", " % ", " in ", "."]
)
_CALLS = st.sampled_from(
    [*sorted(KNOWN_FUNCTIONS), "exists", "all", "map", "filter", "exists_one", "exits", "nope"]
)


@st.composite
def cel_like(draw: st.DrawFn) -> str:
    """Text assembled from CEL's atoms, operators, calls and macros, often ill-formed."""
    parts = [draw(_ATOMS)]
    for _ in range(draw(st.integers(0, 5))):
        choice = draw(st.integers(0, 3))
        if choice == 0:
            parts += [draw(_OPERATORS), draw(_ATOMS)]
        elif choice == 1:
            parts = [f"{''.join(parts)}.{draw(_CALLS)}({draw(_ATOMS)}, {draw(_ATOMS)})"]
        elif choice == 2:
            parts = [f"{draw(_CALLS)}({''.join(parts)})"]
        else:
            parts = [
                draw(st.sampled_from(["!", "-", "(", ""])),
                *parts,
                draw(st.sampled_from([")", "", "]", " ? 1 : 2"])),
            ]
    return "".join(parts)


@fuzz_settings(150)
@given(source=st.one_of(cel_like(), st.text(max_size=80)))
def test_any_expression_compiles_or_is_an_expression_error(source: str) -> None:
    """Text made of CEL pieces, or any text, never raises anything but ExpressionError."""
    _compile(source)


@cache
def _rule_expressions() -> list[str]:
    found: list[str] = []
    for document in rule_documents():
        found.append(document["when"])
        found.extend(document.get("evidence", {}).values())
        found.extend(e["when"] for e in document.get("escalations", []))
    return found


@st.composite
def edited_expression(draw: st.DrawFn) -> str:
    """A real rule expression with a slice cut out or a piece of CEL spliced in."""
    source = draw(st.sampled_from(_rule_expressions()))
    start = draw(st.integers(0, len(source)))
    end = draw(st.integers(start, min(len(source), start + 12)))
    return source[:start] + draw(st.one_of(st.just(""), _ATOMS, _OPERATORS)) + source[end:]


@fuzz_settings(150)
@given(source=edited_expression())
def test_edited_rule_expression_compiles_or_is_an_expression_error(source: str) -> None:
    """A bundled rule's expression with a piece cut or spliced: compiled or refused, no crash."""
    _compile(source)


@fuzz_settings(100)
@given(text=st.text(max_size=120))
def test_any_message_template_compiles_or_is_an_expression_error(text: str) -> None:
    """Message templates with any {{…}} content compile or raise ExpressionError."""
    try:
        template = compile_template(text, rule_id="fuzz-rule", declared_params=PARAMS)
    except ExpressionError:
        return
    assert template.parts or text == ""


@cache
def _bundled_rules() -> list[Rule]:
    return bundled_rules()


@cache
def _case_resources() -> list[tuple[str, dict[str, Any]]]:
    """(kind, data) of every case of every bundled rule: real-shaped resources of each kind."""
    found = []
    for rule in _bundled_rules():
        for case in (*rule.spec.cases.pass_, *rule.spec.cases.fail):
            found.append((rule.kind, dict(case.resource)))
    return found


def _judge(kind: str, data: Any) -> Evaluation:
    engine = Engine(_bundled_rules())
    resource = Resource(kind=kind, id="fuzz", source="fuzz", scope="fuzz", data=data)
    return engine.evaluate([resource], NOW)


@st.composite
def mutated_case_resource(draw: st.DrawFn) -> tuple[str, Any]:
    """(kind, data) of a bundled rule's case resource, its data mutated."""
    kind, data = draw(st.sampled_from(_case_resources()))
    return kind, draw(mutated([data], max_mutations=4))


@fuzz_settings(60)
@given(case=mutated_case_resource())
def test_bundled_rules_judge_any_mutated_resource_without_raising(case: tuple[str, Any]) -> None:
    """Every bundled rule against a real case resource with fields deleted or retyped: findings
    and evaluation errors, never an exception out of the engine."""
    kind, data = case
    if not isinstance(data, dict):
        return  # the mutation replaced the whole resource: not a resource any more
    result = _judge(kind, data)
    judged = sum(1 for rule in _bundled_rules() if rule.kind == kind)
    assert result.checks == judged
    assert len(result.findings) + len(result.errors) <= judged


@fuzz_settings(50)
@given(
    kind=st.sampled_from(sorted({r.kind for r in _bundled_rules()})),
    data=st.dictionaries(st.text(max_size=12), json_values, max_size=6),
)
def test_bundled_rules_judge_arbitrary_resource_data_without_raising(kind: str, data: Any) -> None:
    """Arbitrary data of a judged kind: every rule yields a finding, an error or nothing."""
    result = _judge(kind, data)
    for error in result.errors:
        assert error.error and "\n" not in error.error


@cache
def _regex_rule() -> Rule:
    return single_rule("re.search(resource.text, resource.pattern)")


@pytest.mark.filterwarnings("ignore::FutureWarning")  # re warns of `[[` sets; not a failure
@fuzz_settings(100)
@given(
    text=st.text(max_size=40),
    pattern=st.one_of(
        st.text(max_size=20),
        st.from_regex(r"[a-z()\[\]*+?|\\.^$]{0,10}", fullmatch=True),
        st.none(),
        st.integers(),
    ),
)
def test_re_search_with_any_pattern_is_a_verdict_or_an_evaluation_error(
    text: str, pattern: Any
) -> None:
    """`re.search` with any pattern: a verdict when Python's re compiles it, agreeing with
    re.search; an evaluation error entry otherwise."""
    engine = Engine([_regex_rule()])
    resource = Resource(
        kind="k8s.workload", id="r", source="s", scope="c", data={"text": text, "pattern": pattern}
    )
    result = engine.evaluate([resource], NOW)
    try:
        expected: bool | None = (
            re.search(pattern, text) is not None if isinstance(pattern, str) else None
        )
    except re.error:
        expected = None
    if expected is None:
        assert len(result.errors) == 1 and not result.findings
    else:
        assert not result.errors
        assert bool(result.findings) == expected
        assert regex_search(text, pattern) is expected
