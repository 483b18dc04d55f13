"""Contracts kept by test: the documented fields are exactly the produced ones, and every rule
case under rules/kafka is data the collector really produces (made by rule_cases.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.unit.kafka import rule_cases
from tests.unit.kafka.rule_cases import CASES, RULES, generated_cases

DOC = Path(__file__).resolve().parents[3] / "docs" / "resource-kinds" / "kafka.md"
LISTS = {
    "kafka.cluster": ("listeners", "brokers"),
    "kafka.consumer_group": ("topics", "problem_partitions"),
}


def documented_fields() -> dict[str, set[str]]:
    """First-column field names of each kind's table, and of each `### FIELD[]` table
    (keyed KIND.FIELD)."""
    fields: dict[str, set[str]] = {}
    kind = section = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if heading := re.match(r"^## (kafka\.\w+)$", line):
            kind = section = heading.group(1)
            fields[section] = set()
        elif (items := re.match(r"^### `(\w+)\[\]`", line)) and kind:
            section = f"{kind}.{items.group(1)}"
            fields[section] = set()
        elif line.startswith("## "):
            kind = section = None
        elif section and line.startswith("| `"):
            fields[section].update(re.findall(r"`(\w+)`", line.split("|")[1]))
    return fields


def samples() -> dict[str, list[dict[str, Any]]]:
    """Every scenario's data, by kind."""
    kinds = {"cluster": "kafka.cluster", "topic": "kafka.topic", "group": "kafka.consumer_group"}
    built: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds.values()}
    for rule_id, outcomes in CASES.items():
        kind = kinds[rule_id.split("-")[1]]
        for cases in outcomes.values():
            built[kind] += [build() for _, build, _ in cases]
    return built


@pytest.mark.parametrize("kind", ["kafka.cluster", "kafka.topic", "kafka.consumer_group"])
def test_every_documented_field_is_always_present_and_nothing_else(kind: str) -> None:
    """Each resource of the kind has exactly the fields docs/resource-kinds/kafka.md lists,
    and so does every item of its documented lists."""
    documented = documented_fields()
    for data in samples()[kind]:
        assert set(data) == documented[kind]
        for name in LISTS.get(kind, ()):
            for item in data[name]:
                assert set(item) == documented[f"{kind}.{name}"], name


def test_partition_statuses_always_has_the_six_statuses() -> None:
    """A map with fixed keys: rules can read any status without has()."""
    for data in samples()["kafka.consumer_group"]:
        assert set(data["partition_statuses"]) == {
            "OK", "UNKNOWN", "WARN", "REWIND", "STALL", "STOP"
        }  # fmt: skip


def test_every_rule_has_scenarios_and_every_scenario_a_rule() -> None:
    """rules/kafka and the case scenarios name the same rules."""
    assert sorted(p.stem for p in RULES.glob("*.yaml")) == sorted(CASES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_cases_are_what_the_collector_produces(rule_id: str) -> None:
    """A rule file's cases equal what its scenarios make through the real normaliser
    (regenerate with `python -m tests.unit.kafka.rule_cases`)."""
    text = (RULES / f"{rule_id}.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text)["cases"] == generated_cases(rule_id)
    assert text.endswith(rule_cases.render_cases(generated_cases(rule_id)))
