"""Every case of rules/gke is what the normaliser makes of its fixture's objects, so no case
holds data a manifest or a cluster could never produce."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.unit.k8s.rule_cases import FIXTURES, RULES, generated_cases, render_cases, rule_kind

RULE_FILES = sorted(RULES.glob("*.yaml"))


def test_every_rule_has_a_case_fixture_and_every_fixture_a_rule() -> None:
    """The fixtures under tests/fixtures/k8s/rule-cases name exactly the rules under rules/gke."""
    assert sorted(p.stem for p in FIXTURES.glob("*.yaml")) == [p.stem for p in RULE_FILES]


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=lambda p: p.stem)
def test_rule_cases_are_generated_from_their_fixture(rule_file: Path) -> None:
    """A rule's cases equal those its fixture generates (regenerate with
    `.venv/bin/python -m tests.unit.k8s.rule_cases RULE_ID`)."""
    written = yaml.safe_load(rule_file.read_text(encoding="utf-8"))["cases"]
    generated = yaml.safe_load(render_cases(generated_cases(rule_file.stem, rule_kind(rule_file))))[
        "cases"
    ]
    assert written == generated
