"""Rule files under fuzzing: any rule YAML is a Rule or one RuleError at the file's line, and
a rule that loads runs its own cases without a traceback."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from auditor.engine.cases import run_cases
from auditor.engine.loader import load_rule_file
from auditor.engine.rule import Rule
from auditor.errors import RuleError
from tests.fuzz.mutations import damaged_text, fuzz_settings, mutated
from tests.fuzz.seeds import rule_documents, rule_texts

_RULE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def rules_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch folder for rule files."""
    return tmp_path_factory.mktemp("rules")


def _load(folder: Path, text: str, rule_id: Any = None) -> tuple[Path, Rule | RuleError]:
    # Named after its id, so the loader gets past the id/file-name check to the deeper stages.
    name = rule_id if isinstance(rule_id, str) and _RULE_ID.match(rule_id) else "fuzz-rule"
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        return path, load_rule_file(path)
    except RuleError as exc:
        return path, exc


def assert_rule_or_located_error(path: Path, outcome: Rule | RuleError, text: str) -> None:
    """A RuleError names the file and a line in it; a Rule runs its cases without raising."""
    if isinstance(outcome, RuleError):
        assert outcome.path == str(path), outcome
        if outcome.line is not None:
            assert 1 <= outcome.line <= len(text.splitlines()) + 1, outcome
        return
    for result in run_cases(outcome):
        assert result.ok or result.detail, result


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@fuzz_settings(60)
@given(document=mutated(rule_documents()))
def test_mutated_rule_loads_or_is_a_located_error(rules_dir: Path, document: Any) -> None:
    """A bundled rule with fields deleted, retyped or replaced: a rule or a RuleError."""
    text = _dump(document)
    rule_id = document.get("id") if isinstance(document, dict) else None
    path, outcome = _load(rules_dir, text, rule_id)
    assert_rule_or_located_error(path, outcome, text)


@fuzz_settings(50)
@given(text=damaged_text(rule_texts()))
def test_damaged_rule_text_loads_or_is_a_located_error(rules_dir: Path, text: str) -> None:
    """Line-level damage to a real rule file gives a rule or an error at a real line."""
    match = re.search(r"^id:\s*(\S+)", text, re.MULTILINE)
    path, outcome = _load(rules_dir, text, match.group(1) if match else None)
    assert_rule_or_located_error(path, outcome, text)


@fuzz_settings(50)
@given(text=st.text(max_size=300))
def test_random_text_is_a_rule_error(rules_dir: Path, text: str) -> None:
    """Arbitrary text is never an unexpected exception."""
    path, outcome = _load(rules_dir, text)
    assert_rule_or_located_error(path, outcome, text)


def test_every_mutation_seed_loads() -> None:
    """The seeds are valid rules, so mutations start from code paths past validation."""
    for document in rule_documents():
        assert isinstance(document, dict) and "when" in document
