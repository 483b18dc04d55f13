"""docs/rules.md: the rule catalogue, generated from the rule files so it cannot drift."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from auditor.engine.rule import Rule
from auditor.model import Category

HEADER = """\
# Rule catalogue

Generated from `rules/` by `auditor rules docs > docs/rules.md`; a test fails when it is out of
date. `auditor rules show ID` prints a rule's description, expression and remediation.
"""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _param(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def render_catalogue(rules: Sequence[Rule]) -> str:
    """Markdown: a summary table per category, then each rule's references and params."""
    lines = [HEADER]
    by_category: dict[Category, list[Rule]] = {}
    for rule in rules:
        by_category.setdefault(rule.spec.category, []).append(rule)
    lines.append(
        "| category | rules |\n| --- | --- |\n"
        + "\n".join(
            f"| {category.value} | {len(by_category.get(category, []))} |" for category in Category
        )
        + f"\n| **total** | **{len(rules)}** |\n"
    )
    for category in Category:
        members = sorted(by_category.get(category, []), key=lambda r: (-r.spec.severity.rank, r.id))
        if not members:
            continue
        lines.append(f"## {category.value}\n")
        lines.append("| id | title | severity | resource | references | params |")
        lines.append("| --- | --- | --- | --- | --- | --- |")
        for rule in members:
            spec = rule.spec
            severity = spec.severity.value
            if rule.escalations:
                worst = max((e.severity for e in rule.escalations), key=lambda s: s.rank)
                severity += f" (up to {worst.value})"
            references = "; ".join(
                f"[{_cell(ref.label())}]({ref.url})" if ref.url else _cell(ref.label())
                for ref in rule.info().references
            )
            params = "; ".join(
                f"`{name}` = `{_cell(_param(p.default))}`" for name, p in spec.params.items()
            )
            lines.append(
                f"| `{rule.id}` | {_cell(spec.title)} | {severity} | `{spec.resource}` | "
                f"{references} | {params} |"
            )
        lines.append("")
    return "\n".join(lines)
