"""The cases of rules/kafka, made by the collector's own normaliser from scenarios.

A case's `resource` must be exactly what the collector produces, so it is never written by
hand: each scenario (rule_scenarios.py) builds AdminClient-shaped answers (and, for groups,
a series of scans on an explicit clock) and runs them through the real parsing and judging
code; `main` writes the results into the rule files' `cases:` sections, and
tests/unit/kafka/test_kafka_contracts.py fails when a file drifts from what its scenarios
make. After changing the normaliser or a scenario:

    .venv/bin/python -m tests.unit.kafka.rule_cases
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.unit.kafka.rule_scenarios import (
    Data,
    behind_retention,
    caught_up,
    configs_unreadable,
    falling_behind,
    first_scan_lagging,
    leaderless,
    min_isr_one,
    min_isr_three,
    never_committed,
    offsets_denied,
    one_replica,
    pii_compacted,
    pii_forever,
    pii_ninety_days,
    pii_seven_days,
    production_connected_plaintext,
    production_controller_plaintext,
    production_plaintext,
    production_tls_only,
    rewound,
    shrunk_isr,
    staging_plaintext,
    stalled_member,
    stopped,
    three_replicas,
    twenty_minutes_behind,
    two_replicas_pii,
)

REPO = Path(__file__).resolve().parents[3]
RULES = REPO / "rules" / "kafka"
CASES_HEADER = "\ncases:\n"

Case = tuple[str, Callable[[], Data], dict[str, Any]]

CASES: dict[str, dict[str, list[Case]]] = {
    "kafka-group-lag-seconds": {
        "pass": [
            ("caught up", caught_up, {}),
            ("first scan: lag not yet datable", first_scan_lagging, {}),
            ("17.5 minutes behind, budget raised to an hour", twenty_minutes_behind,
             {"params": {"max_lag_seconds": 3600}}),
        ],
        "fail": [
            ("17.5 minutes behind (interpolated)", twenty_minutes_behind, {}),
            ("stopped for 5 minutes (at least), budget 2 minutes", stopped,
             {"params": {"max_lag_seconds": 120}}),
        ],
    },
    "kafka-group-stalled": {
        "pass": [("caught up", caught_up, {}), ("falling behind is WARN, not ERR", falling_behind, {})],
        "fail": [
            ("stopped while records arrive", stopped, {"severity": "critical"}),
            ("stuck although a member holds the partition", stalled_member, {}),
            ("offsets rewound and not recovered", rewound, {}),
        ],
    },
    "kafka-group-lag-growing": {
        "pass": [("caught up", caught_up, {}), ("stopped is the stalled rule's", stopped, {})],
        "fail": [("consumer slower than producers", falling_behind, {})],
    },
    "kafka-group-no-commits": {
        "pass": [("commits", caught_up, {}), ("offsets not readable", offsets_denied, {})],
        "fail": [("two members, nothing committed", never_committed, {})],
    },
    "kafka-group-offset-out-of-range": {
        "pass": [("within retention", caught_up, {})],
        "fail": [("committed offset deleted by retention", behind_retention, {})],
    },
    "kafka-topic-replication-factor": {
        "pass": [("three replicas", three_replicas, {})],
        "fail": [
            ("replication factor 1", one_replica, {}),
            ("two replicas on a PII topic", two_replicas_pii, {"severity": "critical"}),
        ],
    },
    "kafka-topic-min-insync-replicas": {
        "pass": [("min ISR 2 of 3", three_replicas, {}), ("configs not readable", configs_unreadable, {})],
        "fail": [("min ISR 1", min_isr_one, {}), ("min ISR equal to the replicas", min_isr_three, {})],
    },
    "kafka-topic-under-replicated": {
        "pass": [("all in sync", three_replicas, {})],
        "fail": [("ISR shrunk below min ISR", shrunk_isr, {"severity": "critical"}),
                 ("leaderless partition is out of sync too", leaderless, {"severity": "critical"})],
    },
    "kafka-topic-offline-partitions": {
        "pass": [("every partition led", shrunk_isr, {})],
        "fail": [("a partition without leader", leaderless, {})],
    },
    "kafka-topic-pii-retention": {
        "pass": [
            ("PII kept seven days", pii_seven_days, {}),
            ("not PII", three_replicas, {}),
            ("PII kept 90 days, policy 120", pii_ninety_days, {"params": {"max_retention_days": 120}}),
        ],
        "fail": [
            ("PII kept 90 days", pii_ninety_days, {}),
            ("PII compacted: kept forever", pii_compacted, {}),
            ("PII with retention.ms -1", pii_forever, {}),
        ],
    },
    "kafka-cluster-plaintext-listener": {
        "pass": [
            ("TLS only", production_tls_only, {}),
            ("staging is not judged", staging_plaintext, {}),
            ("controller listener ignored by config", production_controller_plaintext,
             {"params": {"ignored_listener_names": ["CONTROLLER"]}}),
        ],
        "fail": [
            ("PLAINTEXT inter-broker and controller listeners", production_plaintext, {}),
            ("auditor itself connected over PLAINTEXT", production_connected_plaintext, {}),
            ("controller listener in PLAINTEXT", production_controller_plaintext, {}),
        ],
    },
}  # fmt: skip


def generated_cases(rule_id: str) -> dict[str, list[dict[str, Any]]]:
    """The rule's cases as they belong in its file."""
    return {
        outcome: [{"name": name, **extra, "resource": build()} for name, build, extra in cases]
        for outcome, cases in CASES[rule_id].items()
    }


def render_cases(cases: dict[str, list[dict[str, Any]]]) -> str:
    """The `cases:` section as YAML: block style, small leaf maps and lists in flow style."""
    return yaml.dump(
        {"cases": cases}, Dumper=_CaseDumper, sort_keys=False, width=100, allow_unicode=True
    )


def rewrite_rule(rule_file: Path) -> bool:
    """Replace a rule file's cases with its scenarios'; True when the file changed."""
    text = rule_file.read_text(encoding="utf-8")
    header = text.split(CASES_HEADER, 1)[0]
    updated = header + "\n" + render_cases(generated_cases(rule_file.stem))
    if updated == text:
        return False
    rule_file.write_text(updated, encoding="utf-8")
    return True


class _CaseDumper(yaml.SafeDumper):
    """Readable case data: nested structures in block style, small leaves inline."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def represent_dict(self, data: Any) -> yaml.Node:  # type: ignore[override]
        flow = not any(isinstance(v, dict | list) and v for v in data.values()) and _short(data)
        return self.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow)

    def represent_list(self, data: Any) -> yaml.Node:  # type: ignore[override]
        flow = not any(isinstance(v, dict | list) and v for v in data) and _short(data)
        return self.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _short(data: Any) -> bool:
    return len(yaml.safe_dump(data, default_flow_style=True, width=4096).strip()) <= 72


_CaseDumper.add_representer(dict, _CaseDumper.represent_dict)
_CaseDumper.add_representer(list, _CaseDumper.represent_list)


def main() -> int:
    """Rewrite the cases of every rule under rules/kafka."""
    for rule_file in sorted(RULES.glob("*.yaml")):
        if rewrite_rule(rule_file):
            print(f"rewrote {rule_file.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
