"""A minimal valid rule around one `when` expression, for properties about evaluation."""

from __future__ import annotations

import tempfile
from pathlib import Path

from auditor.engine.loader import load_rule_file
from auditor.engine.rule import Rule

_RULE = """\
id: fuzz-rule
title: A rule for fuzzing
severity: low
category: hygiene
resource: k8s.workload
description: Holds one expression under test.
when: {when!r}
message: matched
remediation: None.
cases:
  pass:
    - {{name: no text, resource: {{text: "", pattern: "x"}}}}
  fail:
    - {{name: text, resource: {{text: "x", pattern: "x"}}}}
"""


def single_rule(when: str) -> Rule:
    """The rule `fuzz-rule` judging k8s.workload with `when`, loaded like any rule file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz-rule.yaml"
        path.write_text(_RULE.format(when=when), encoding="utf-8")
        return load_rule_file(path)
