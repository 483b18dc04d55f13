"""atheris target: rule files (auditor.engine.loader: structure, schema, CEL semantics) and,
for a rule that loads, its own cases (auditor.engine.cases).

A crash is any exception but RuleError, or a RuleError that does not name the file or names a
line outside it. Run: python tests/fuzz/atheris_targets/rules.py -max_total_time=600 [DIR]
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, line_count, run, scratch_dir

with atheris.instrument_imports(include=["auditor"]):
    from auditor.engine.cases import run_cases
    from auditor.engine.loader import load_rule_file
    from auditor.errors import RuleError

# Every input is the rule `fuzz-rule`: the seeds are renamed so they pass the id check and the
# fuzzer spends its time in the schema, CEL and case stages.
FILE = scratch_dir() / "fuzz-rule.yaml"
_ID_LINE = re.compile(rb"^id:.*$", re.MULTILINE)


def seeds() -> Iterator[tuple[str, bytes]]:
    """Every bundled rule, renamed fuzz-rule."""
    for path in sorted((REPO / "rules").rglob("*.yaml")):
        yield path.name, _ID_LINE.sub(b"id: fuzz-rule", path.read_bytes(), count=1)


def test_one_input(data: bytes) -> None:
    """Load `data` as a rule file and run its cases; only a located RuleError may come out."""
    FILE.write_bytes(data)
    try:
        rule = load_rule_file(FILE)
    except RuleError as exc:
        if exc.path != str(FILE):
            raise AssertionError(f"error names another file: {exc}") from exc
        if exc.line is not None and not 1 <= exc.line <= line_count(data) + 1:
            raise AssertionError(f"error line outside the file: {exc}") from exc
        return
    for result in run_cases(rule):
        if not (result.ok or result.detail):
            raise AssertionError(f"case failed without a reason: {result}")


if __name__ == "__main__":
    run(sys.argv, test_one_input, seeds)
