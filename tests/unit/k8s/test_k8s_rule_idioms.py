"""Every k8s.workload rule under rules/gke honours exemptions with the one documented idiom,
against an expiry that always exists (docs/resource-kinds/k8s.md, "Exemptions")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

RULES = Path(__file__).resolve().parents[3] / "rules" / "gke"
WORKLOAD_RULES = sorted(
    p for p in RULES.glob("*.yaml") if yaml.safe_load(p.read_text())["resource"] == "k8s.workload"
)


def compact(text: str) -> str:
    """CEL with all whitespace removed, so line breaks do not matter."""
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("rule_file", WORKLOAD_RULES, ids=lambda p: p.stem)
def test_workload_rule_uses_one_exemption_idiom(rule_file: Path) -> None:
    """A rule checks container exemptions, or whole-workload ones, for its own id, with
    `now < timestamp(e.expires_at)`, and nowhere treats a missing expiry as forever."""
    rule = yaml.safe_load(rule_file.read_text(encoding="utf-8"))
    when = compact(rule["when"])
    rule_id = rule["id"]
    container = f"!c.exemptions.exists(e,e.rule=='{rule_id}'&&now<timestamp(e.expires_at))"
    workload = (
        f"!resource.exemptions.exists(e,e.rule=='{rule_id}'&&e.container==null&&"
        "now<timestamp(e.expires_at))"
    )
    assert (container in when) != (workload in when), rule_id
    assert "expires_at==null" not in compact(
        rule_file.read_text(encoding="utf-8").split("\ncases:")[0]
    )
