"""Meta-tests over the shipped rule library: every rule loads, its cases hold, its kind exists."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.collectors.collect import collect_sources
from auditor.collectors.files import FilesSettings
from auditor.engine.cases import run_cases
from auditor.engine.catalogue import render_catalogue
from auditor.engine.loader import load_rules, rule_files
from auditor.engine.rule import Rule
from auditor.model import Category
from auditor.paths import bundled_rules_dir, demo_dir
from auditor.state import HistoryStore

REPO = Path(__file__).resolve().parents[2]


def _library() -> list[Rule]:
    loaded = load_rules([bundled_rules_dir()])
    assert not loaded.problems, [p.one_line() for p in loaded.problems]
    return sorted(loaded.rules, key=lambda r: r.id)


LIBRARY = _library()


def test_every_rule_file_loads_with_a_unique_id_equal_to_its_name() -> None:
    """Each file is one valid rule whose id is its file name, and no id repeats."""
    stems = sorted(p.stem for p in rule_files([bundled_rules_dir()]))
    assert stems == [r.id for r in LIBRARY]
    assert len(set(stems)) == len(stems)


@pytest.mark.parametrize("rule", LIBRARY, ids=lambda r: r.id)
def test_rule_cases_hold(rule: Rule) -> None:
    """Every pass case passes and every fail case fails (and renders its message)."""
    failures = [f"[{r.expected}] {r.name}: {r.detail}" for r in run_cases(rule) if not r.ok]
    assert not failures, failures


def test_library_covers_the_compliance_families() -> None:
    """At least 45 rules, with real rules in zero-trust, least-privilege, PII and HA."""
    categories = {r.spec.category for r in LIBRARY}
    assert {Category.ZERO_TRUST, Category.LEAST_PRIVILEGE, Category.PII, Category.HA} <= categories
    assert len(LIBRARY) >= 45


def test_every_benchmark_reference_names_version_and_item() -> None:
    """CIS numbering changes between versions, so a benchmark citation without both is useless."""
    for rule in LIBRARY:
        for reference in rule.info().references:
            if reference.benchmark:
                assert reference.version and reference.item, (rule.id, reference)


def test_every_rule_kind_is_produced_by_a_loader() -> None:
    """A rule over a kind nothing produces could never fire: the demo estate, read as a live
    `files` source, produces every kind the library judges (auditor.source included)."""
    settings = FilesSettings(name="demo", type="files", paths=[demo_dir() / "estate"])
    [result] = collect_sources([settings], HistoryStore(), lambda: datetime.now(UTC))
    assert result.health.up, result.health.error
    assert not result.warnings
    missing = sorted({r.kind for r in LIBRARY} - {r.kind for r in result.resources})
    assert not missing, f"the demo estate produces no {missing}"


def test_catalogue_is_up_to_date() -> None:
    """docs/rules.md is what `auditor rules docs` generates from the library."""
    expected = render_catalogue(LIBRARY)
    actual = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert actual == expected, "regenerate with `auditor rules docs > docs/rules.md`"
