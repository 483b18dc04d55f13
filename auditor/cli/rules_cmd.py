"""`auditor rules validate|list|show|test|schema`: the rule library itself."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from auditor.engine.cases import run_cases
from auditor.engine.catalogue import render_catalogue
from auditor.engine.loader import load_rules
from auditor.engine.rule import Rule
from auditor.engine.runbooks import render_runbooks
from auditor.engine.spec import rule_json_schema
from auditor.errors import UsageError
from auditor.model import Category
from auditor.paths import bundled_rules_dir
from auditor.scan import RuleLoadFailed

EXIT_CASES_FAILED = 1

rule_paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


def _load(paths: tuple[Path, ...]) -> list[Rule]:
    loaded = load_rules(list(paths) or [bundled_rules_dir()])
    if loaded.problems:
        raise RuleLoadFailed(loaded.problems)
    return sorted(loaded.rules, key=lambda r: r.id)


@click.group()
def rules() -> None:
    """The rule library: validate, list, show and test rules."""


@rules.command("validate")
@rule_paths_argument
def validate(paths: tuple[Path, ...]) -> None:
    """Check rule files (default: the bundled library) for structure, schema and semantics."""
    loaded = _load(paths)
    click.echo(f"ok: {len(loaded)} rule(s) valid")


@rules.command("list")
@rule_paths_argument
@click.option("--category", type=click.Choice([c.value for c in Category]))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def list_rules(paths: tuple[Path, ...], category: str | None, fmt: str) -> None:
    """List rules with severity, category and kind."""
    selected = [r for r in _load(paths) if category is None or r.spec.category.value == category]
    if fmt == "json":
        rows = [
            {
                "id": r.id,
                "title": r.spec.title,
                "severity": r.spec.severity.value,
                "category": r.spec.category.value,
                "resource": r.kind,
                "references": [ref.label() for ref in r.info().references],
                "params": r.params,
            }
            for r in selected
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"{len(selected)} rule(s)", title_justify="left")
    for column in ("id", "severity", "category", "resource", "title"):
        table.add_column(column, overflow="fold")
    for r in selected:
        table.add_row(r.id, r.spec.severity.value, r.spec.category.value, r.kind, r.spec.title)
    Console(force_terminal=sys.stdout.isatty(), width=140).print(table)


@rules.command("show")
@click.argument("rule_id")
@click.option("--rules", "paths", multiple=True, type=click.Path(path_type=Path))
def show(rule_id: str, paths: tuple[Path, ...]) -> None:
    """Explain one rule: what it checks, why, how to fix it, its params and references."""
    matches = [r for r in _load(paths) if r.id == rule_id]
    if not matches:
        raise UsageError(f"no rule {rule_id!r}; see `auditor rules list`")
    rule = matches[0]
    spec = rule.spec
    lines = [
        f"{spec.id}: {spec.title}",
        f"  severity: {spec.severity.value}   category: {spec.category.value}   "
        f"resource: {spec.resource}",
        f"  file: {rule.path}",
        "",
        spec.description.strip(),
        "",
        "When (CEL):",
        *("  " + line for line in spec.when.strip().splitlines()),
        "",
        "Remediation:",
        *("  " + line for line in spec.remediation.strip().splitlines()),
    ]
    if spec.params:
        lines += ["", "Params:"]
        lines += [f"  {n} = {p.default!r}: {p.description}" for n, p in spec.params.items()]
    if spec.references:
        lines += ["", "References:"]
        lines += [f"  {ref.label()} {ref.url}".rstrip() for ref in rule.info().references]
    click.echo("\n".join(lines))


@rules.command("test")
@rule_paths_argument
@click.option("-v", "--verbose", is_flag=True, help="List passing cases too.")
@click.pass_context
def test(ctx: click.Context, paths: tuple[Path, ...], verbose: bool) -> None:
    """Run every rule's pass and fail cases."""
    passed = failed = 0
    for rule in _load(paths):
        for result in run_cases(rule):
            if result.ok:
                passed += 1
                if verbose:
                    click.echo(f"ok    {result.rule_id} [{result.expected}] {result.name}")
            else:
                failed += 1
                click.echo(
                    f"FAIL  {result.rule_id} [{result.expected}] {result.name}: {result.detail}"
                )
    click.echo(f"{passed} passed, {failed} failed")
    ctx.exit(EXIT_CASES_FAILED if failed else 0)


@rules.command("docs")
@rule_paths_argument
def docs(paths: tuple[Path, ...]) -> None:
    """Print the rule catalogue as Markdown (docs/rules.md)."""
    click.echo(render_catalogue(_load(paths)), nl=False)


@rules.command("runbooks")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@rule_paths_argument
def runbooks(directory: Path, paths: tuple[Path, ...]) -> None:
    """Write one runbook page per rule into DIRECTORY (docs/runbooks/rules), plus an index.

    Pages of rules that no longer exist are removed: the directory holds generated pages only.
    """
    pages = render_runbooks(_load(paths))
    directory.mkdir(parents=True, exist_ok=True)
    for stale in sorted(directory.glob("*.md")):
        if stale.name not in pages:
            stale.unlink()
    for name, text in pages.items():
        (directory / name).write_text(text, encoding="utf-8")
    click.echo(f"{len(pages) - 1} rule runbooks written to {directory}")


@rules.command("schema")
def schema() -> None:
    """Print the JSON Schema of rule files."""
    click.echo(json.dumps(rule_json_schema(), indent=2))
