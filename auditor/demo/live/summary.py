"""What the demo prints about the daemon's findings: counts by source and severity, counts
by category, and each source's worst findings (the daemon's /findings JSON, rendered)."""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Collection, Sequence
from typing import Any, TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditor.model import Severity

SEVERITIES = [s.value for s in Severity]  # worst first
TOP_PER_SOURCE = 3
WIDTH = 110
SEVERITY_STYLES = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}


def _rank(finding: dict[str, Any], headline: Collection[str]) -> tuple[bool, int, str, str]:
    severity = str(finding.get("severity"))
    order = SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)
    rule = str(finding.get("rule_id"))
    return rule not in headline, order, rule, str(finding.get("fingerprint"))


def _resource_id(finding: dict[str, Any]) -> str:
    resource = finding.get("resource")
    return str(resource.get("id", "")) if isinstance(resource, dict) else ""


def render_summary(
    findings: Sequence[dict[str, Any]],
    sources: Sequence[str],
    headline: Collection[str],
    out: TextIO,
    *,
    color: bool,
) -> None:
    """Print the summary to `out` (ANSI colour only when `color`): counts, then per source the
    findings of its `headline` rules (what the demo set it up to show) and its worst others."""
    console = Console(
        file=out,
        force_terminal=color,
        no_color=not color,
        width=WIDTH,
        highlight=False,
        markup=False,
        emoji=False,
    )
    open_findings = [f for f in findings if f.get("status") == "open"]
    counts = Counter((str(f.get("source")), str(f.get("severity"))) for f in open_findings)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("open findings")
    for severity in SEVERITIES:
        table.add_column(severity, justify="right")
    table.add_column("total", justify="right")
    for source in sources:
        row = [counts[(source, severity)] for severity in SEVERITIES]
        table.add_row(source, *(str(n) for n in row), str(sum(row)))
    console.print(table)
    by_category = Counter(str(f.get("category")) for f in open_findings)
    console.print(
        "by category: " + ", ".join(f"{c} {n}" for c, n in sorted(by_category.items())),
        soft_wrap=True,
    )
    others = len(findings) - len(open_findings)
    if others:
        console.print(f"also tracked: {others} waived or baselined finding(s)")
    console.print()
    console.print(f"Top findings of each source (at most {TOP_PER_SOURCE}):")
    for source in sources:
        ranked = sorted(
            (f for f in open_findings if f.get("source") == source),
            key=lambda f: _rank(f, headline),
        )
        for finding in ranked[:TOP_PER_SOURCE]:
            severity = str(finding.get("severity"))
            style = SEVERITY_STYLES.get(severity, "")
            line = Text(f"  {source:<8} ")
            line.append(f"{severity:<8}", style=style)
            line.append(f" {finding.get('rule_id')}  {_resource_id(finding)}")
            console.print(line, soft_wrap=True)
            message = " ".join(str(finding.get("message", "")).split())
            for wrapped in textwrap.wrap(message, WIDTH - 12)[:3]:
                console.print(Text(" " * 12 + wrapped), soft_wrap=True)
