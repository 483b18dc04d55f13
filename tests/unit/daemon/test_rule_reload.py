"""Custom rules change while the daemon runs: good files take effect at the next cycle, a broken
file is rejected on its own and its rules keep their last good version."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from prometheus_client import generate_latest

from auditor.daemon.metrics import MetricsInput, metrics_registry
from auditor.daemon.service import Daemon
from auditor.scan import RuleLoadFailed
from tests.unit.daemon.estate import daemon_config, write_estate
from tests.unit.daemon.test_daemon_cycles import RecordingSink

RULE = """\
id: {id}
title: Workloads run at least {n} replicas
severity: {severity}
category: ha
resource: k8s.workload
description: Custom rule of this test.
when: {when}
message: "{{{{resource.name}}}} runs {{{{resource.replicas}}}} replica(s)"
remediation: Raise replicas.
params:
  min_replicas:
    default: 5
    description: Fewest replicas.
cases:
  pass:
    - name: many
      resource: {{name: api, replicas: 9}}
  fail:
    - name: one
      resource: {{name: api, replicas: 1}}
"""


def _write(directory: Path, rule_id: str, *, severity: str = "medium", when: str = "") -> Path:
    path = directory / f"{rule_id}.yaml"
    body = RULE.format(
        id=rule_id, n=5, severity=severity, when=when or "resource.replicas < params.min_replicas"
    )
    path.write_text(body, encoding="utf-8")
    # A new mtime even on filesystems with coarse timestamps.
    stamp = path.stat().st_mtime_ns + 1_000_000_000
    os.utime(path, ns=(stamp, stamp))
    return path


def _open(daemon: Daemon) -> dict[str, str]:
    return {
        t.rule_id: t.severity
        for t in daemon.store.findings()
        if t.status == "open" and t.rule_id.startswith("custom-")
    }


def _metrics(daemon: Daemon) -> str:
    registry = metrics_registry(
        MetricsInput(
            snapshot=daemon.snapshot, counts=daemon.store.finding_counts, rules=daemon.rules.status
        )
    )
    return generate_latest(registry).decode()


def test_a_broken_rule_file_is_rejected_without_disturbing_the_rest(tmp_path: Path) -> None:
    rules = tmp_path / "custom-rules"
    rules.mkdir()
    _write(rules, "custom-a")
    broken_later = _write(rules, "custom-b")
    sink = RecordingSink()
    config = daemon_config(tmp_path, write_estate(tmp_path), f"rules: {{paths: [{rules}]}}\n")
    daemon = Daemon(config, [], sinks=[sink])
    daemon.run_once()
    assert _open(daemon) == {"custom-a": "medium", "custom-b": "medium"}
    announced = len(sink.delivered)

    # One file improves, the other breaks (its expression no longer compiles).
    _write(rules, "custom-a", severity="high")
    _write(rules, "custom-b", when="resource.replicas <")
    daemon.run_once()

    assert _open(daemon) == {"custom-a": "high", "custom-b": "medium"}
    assert not any("custom-b" in m["resolved"] for m in sink.delivered[announced:])
    status = daemon.rules.status()
    [problem] = status.rejected
    assert problem.startswith(f"{broken_later}:")
    assert "when" in problem
    text = _metrics(daemon)
    assert "auditor_rule_files_rejected 1.0" in text
    assert f"auditor_rules_loaded {float(status.loaded)}" in text

    # A new file is picked up while the broken one is still broken.
    _write(rules, "custom-c")
    daemon.run_once()
    assert set(_open(daemon)) == {"custom-a", "custom-b", "custom-c"}
    assert len(daemon.rules.status().rejected) == 1

    # Fixed: nothing rejected any more, and the fixed rule's new version runs.
    _write(rules, "custom-b", severity="low")
    daemon.run_once()
    assert daemon.rules.status().rejected == ()
    assert _open(daemon)["custom-b"] == "low"
    assert "auditor_rule_files_rejected 0.0" in _metrics(daemon)
    daemon.stop()


def test_an_override_for_a_rule_that_vanished_keeps_every_rule_as_it_was(tmp_path: Path) -> None:
    rules = tmp_path / "custom-rules"
    rules.mkdir()
    _write(rules, "custom-a")
    config = daemon_config(
        tmp_path,
        write_estate(tmp_path),
        f"rules: {{paths: [{rules}], params: {{custom-a: {{min_replicas: 3}}}}}}\n",
    )
    daemon = Daemon(config, [], sinks=[])
    daemon.run_once()
    before = daemon.rules.current().rule_ids
    assert "custom-a" in before
    (rules / "custom-a.yaml").unlink()
    _write(rules, "custom-z")
    daemon.run_once()
    assert daemon.rules.current().rule_ids == before
    [problem] = daemon.rules.status().rejected
    assert problem.startswith("rules.params.custom-a: no rule with this id is loaded")
    assert "custom-a" in _open(daemon)
    daemon.stop()


def test_a_broken_rule_file_at_start_is_a_clear_error(tmp_path: Path) -> None:
    rules = tmp_path / "custom-rules"
    rules.mkdir()
    broken = _write(rules, "custom-b", when="resource.replicas <")
    config = daemon_config(tmp_path, write_estate(tmp_path), f"rules: {{paths: [{rules}]}}\n")
    with pytest.raises(RuleLoadFailed) as caught:
        Daemon(config, [], sinks=[])
    assert str(caught.value).startswith(f"{broken}:")
