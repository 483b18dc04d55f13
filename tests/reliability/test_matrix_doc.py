"""docs/reliability.md is the suite's own output: it lists exactly the matrix's cases."""

from __future__ import annotations

from tests.reliability.matrix import CELLS, COMPONENTS, DOC, FAULTS, documented_keys


def test_the_committed_table_lists_exactly_the_matrix() -> None:
    """Adding, removing or renaming a case without regenerating the document fails here."""
    expected = [(COMPONENTS[c.component], FAULTS[c.fault]) for c in CELLS]
    assert documented_keys(DOC.read_text(encoding="utf-8")) == expected


def test_every_component_meets_every_fault() -> None:
    """No component × fault pair is silently missing: each is a case or an explained n/a."""
    assert {(c.component, c.fault) for c in CELLS} == {(k, f) for k in COMPONENTS for f in FAULTS}
    assert len(CELLS) == len(COMPONENTS) * len(FAULTS)
    assert all(c.not_applicable.startswith("n/a — ") for c in CELLS if c.not_applicable)


def test_no_cell_is_left_failing_in_the_document() -> None:
    """The committed table records a passing (or n/a) outcome for every case."""
    text = DOC.read_text(encoding="utf-8")
    assert "FAIL" not in text and "not run" not in text
