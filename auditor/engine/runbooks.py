"""docs/runbooks/rules/: one runbook page per rule, generated from the rule files, so the link a
Slack message or an Alertmanager alert carries for a finding always leads somewhere true.

A page says what the finding means (the rule's description), how to confirm it (the commands
and queries that show the finding and its numbers) and how to fix it (the remediation).
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.engine.rule import Rule

INDEX_HEADER = """\
# Rule runbooks

One page per rule, generated from `rules/` by `auditor rules runbooks docs/runbooks/rules`; a
test fails when they are out of date. Slack messages and Alertmanager alerts about a finding
link here when `runbook_base_url` points at `docs/runbooks` (`RUNBOOK_BASE/rules/RULE_ID.md`).
The alerts of `deploy/prometheus` have their own pages one level up.

| rule | severity | category | title |
| --- | --- | --- | --- |
"""


def runbook_file_name(rule_id: str) -> str:
    """The page of a rule, relative to the rules runbook directory."""
    return f"{rule_id}.md"


def rule_runbook_url(base_url: str, rule_id: str) -> str:
    """The link for a finding of `rule_id`: `base_url` is where docs/runbooks is published."""
    return f"{base_url.rstrip('/')}/rules/{runbook_file_name(rule_id)}"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _block(text: str) -> str:
    return text.strip() or "—"


def render_rule_runbook(rule: Rule) -> str:
    """Markdown runbook of one rule."""
    spec = rule.spec
    info = rule.info()
    severity = spec.severity.value
    if rule.escalations:
        worst = max((e.severity for e in rule.escalations), key=lambda s: s.rank)
        severity += f", up to {worst.value} (escalations)"
    lines = [
        f"# {spec.id}",
        "",
        f"**{spec.title}** — severity {severity}, category {spec.category.value}, "
        f"judges `{spec.resource}`.",
        "",
        "## What it means",
        "",
        _block(info.description),
        "",
        "## How to confirm",
        "",
        "```sh",
        f"auditor rules show {spec.id}                      # the expression and its params",
        f"curl -s 'http://AUDITOR:9464/findings?rule={spec.id}' | jq .   # open findings, numbers",
        "```",
        "",
        f'PromQL: `auditor_findings_open{{rule="{spec.id}"}}`.',
    ]
    if spec.evidence:
        lines += [
            "",
            "Each finding carries these numbers (evidence): "
            + ", ".join(f"`{name}`" for name in spec.evidence)
            + ".",
        ]
    lines += ["", "## How to fix", "", _block(info.remediation), ""]
    if spec.params:
        lines += ["## Tuning", "", "| param | default | meaning |", "| --- | --- | --- |"]
        for name, param in spec.params.items():
            lines.append(f"| `{name}` | `{param.default}` | {_cell(param.description)} |")
        lines += [
            "",
            f"Override in auditor.yaml: `rules: {{params: {{{spec.id}: {{PARAM: VALUE}}}}}}`.",
            "",
        ]
    if info.references:
        lines += ["## References", ""]
        for ref in info.references:
            label = ref.label()
            lines.append(f"- [{label}]({ref.url})" if ref.url else f"- {label}")
        lines.append("")
    return "\n".join(lines)


def render_runbooks(rules: Sequence[Rule]) -> dict[str, str]:
    """File name → Markdown for every rule's page and the index (README.md)."""
    ordered = sorted(rules, key=lambda r: r.id)
    pages = {runbook_file_name(rule.id): render_rule_runbook(rule) for rule in ordered}
    rows = [
        f"| [{r.id}]({runbook_file_name(r.id)}) | {r.spec.severity.value} | "
        f"{r.spec.category.value} | {_cell(r.spec.title)} |"
        for r in ordered
    ]
    pages["README.md"] = INDEX_HEADER + "\n".join(rows) + "\n"
    return pages
