"""docs/runbooks/rules: a page per bundled rule, generated, and the link findings carry to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.engine.loader import load_rules
from auditor.engine.runbooks import render_runbooks, rule_runbook_url
from auditor.paths import bundled_rules_dir

REPO = Path(__file__).resolve().parents[3]
PAGES = REPO / "docs" / "runbooks" / "rules"
REGENERATE = "regenerate with `auditor rules runbooks docs/runbooks/rules`"


def _bundled() -> dict[str, str]:
    loaded = load_rules([bundled_rules_dir()])
    assert not loaded.problems
    return render_runbooks(loaded.rules)


def test_committed_rule_runbooks_are_what_the_rules_generate() -> None:
    expected = _bundled()
    committed = {path.name: path.read_text(encoding="utf-8") for path in PAGES.glob("*.md")}
    assert sorted(committed) == sorted(expected), REGENERATE
    for name, text in expected.items():
        assert committed[name] == text, f"{name} is out of date; {REGENERATE}"


def test_the_link_a_finding_carries_leads_to_its_page() -> None:
    base = "https://github.com/example/auditor/blob/main/docs/runbooks"
    for rule in load_rules([bundled_rules_dir()]).rules:
        url = rule_runbook_url(base + "/", rule.id)
        relative = url.removeprefix("https://github.com/example/auditor/blob/main/")
        page = REPO / relative
        assert page.is_file(), f"{rule.id}: {url} leads nowhere"
        assert page.read_text(encoding="utf-8").startswith(f"# {rule.id}\n")


def test_a_page_says_what_it_means_how_to_confirm_and_how_to_fix() -> None:
    page = _bundled()["mysql-replication-broken.md"]
    for heading in ("## What it means", "## How to confirm", "## How to fix"):
        assert heading in page
    assert "curl -s 'http://AUDITOR:9464/findings?rule=mysql-replication-broken'" in page
    assert "pt-table-checksum" in page  # the rule's remediation


def test_the_command_writes_pages_and_removes_those_of_deleted_rules(
    tmp_path: Path, write_rule: Any, auditor_cli: Any
) -> None:
    rule = write_rule("custom-min-replicas")
    out = tmp_path / "runbooks"
    out.mkdir()
    (out / "gone-rule.md").write_text("# gone-rule\n")
    run = auditor_cli("rules", "runbooks", str(out), str(rule.parent))
    assert run.code == 0, run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "custom-min-replicas.md"]
    assert "[custom-min-replicas](custom-min-replicas.md)" in (out / "README.md").read_text()
