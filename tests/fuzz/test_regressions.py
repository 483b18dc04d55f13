"""Inputs the fuzzers found that escaped as tracebacks or unlocated errors, each now refused
with the documented error naming file, line and field. One test per finding, minimal input."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from auditor.collectors.airflow.api import dag_facts
from auditor.collectors.airflow.normalise import dag_data
from auditor.collectors.airflow.runs import RunSummary
from auditor.collectors.airflow.schedule import Schedule, describe_schedule
from auditor.collectors.mysql.replication import normalise_channel
from auditor.config import AuditorConfig, load_config
from auditor.engine.evaluate import Engine
from auditor.engine.loader import load_rule_file
from auditor.errors import ConfigError, InputError, RuleError
from auditor.loaders.manifests import load_manifests
from auditor.model import Resource
from auditor.scan import configure_rules


def test_control_character_in_config_names_its_line(tmp_path: Path) -> None:
    """A control character (PyYAML's ReaderError, which has no mark) is located by position."""
    path = tmp_path / "auditor.yaml"
    path.write_text("scan:\n  cluster: a\x1f\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert (caught.value.path, caught.value.line) == (str(path), 2)


def test_control_character_in_rule_names_its_line(tmp_path: Path) -> None:
    """The rule loader reports the same reader error at its line."""
    path = tmp_path / "r.yaml"
    path.write_text("id: r\n\x1f\n", encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        load_rule_file(path)
    assert (caught.value.path, caught.value.line) == (str(path), 2)


def test_control_character_in_manifest_is_one_located_line(tmp_path: Path) -> None:
    """A manifest's reader error is one line, at the character's line."""
    path = tmp_path / "m.yaml"
    path.write_text("kind: Pod\nmetadata: {name: \x1f}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_manifests([path])
    assert (caught.value.path, caught.value.line) == (str(path), 2)
    assert "\n" not in str(caught.value)


def test_duplicate_source_name_names_the_second_entry_line(tmp_path: Path) -> None:
    """Two sources with one name: the error points at the second entry's name."""
    path = tmp_path / "auditor.yaml"
    path.write_text(
        "sources:\n"
        "  - {name: a, type: files, paths: [x]}\n"
        "  - name: a\n"
        "    type: files\n"
        "    paths: [y]\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="two sources are named 'a'") as caught:
        load_config(path, environ={})
    assert (caught.value.path, caught.value.line) == (str(path), 3)


RULE_WITH_CASE = """\
id: {id}
title: Workloads run two replicas
severity: medium
category: ha
resource: k8s.workload
description: One replica is down during every drain.
when: resource.replicas < 2
message: "{{{{resource.name}}}} runs one replica"
remediation: Raise replicas.
params:
  p: {{default: {default}, description: a param}}
cases:
  pass:
    - name: two
      resource: {{name: api, replicas: 2}}
  fail:
    - name: one
      resource: {resource}
"""


def test_case_resource_with_a_null_key_is_a_rule_error_at_its_line(tmp_path: Path) -> None:
    """`labels: {~: 1}` is YAML CEL cannot hold: a RuleError at the case, not a traceback
    from `auditor rules test`."""
    path = tmp_path / "r.yaml"
    path.write_text(
        RULE_WITH_CASE.format(
            id="r", default=1, resource="{name: api, replicas: 1, labels: {~: x}}"
        ),
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match=r"cases\.fail\.0\.resource: None cannot be used") as caught:
        load_rule_file(path)
    assert caught.value.line == 18


def test_param_default_with_a_float_key_is_a_rule_error_at_its_line(tmp_path: Path) -> None:
    """A param default CEL cannot hold would break every rule's evaluation: refused at load."""
    path = tmp_path / "r.yaml"
    path.write_text(
        RULE_WITH_CASE.format(id="r", default="{1.5: x}", resource="{name: api, replicas: 1}"),
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match=r"params\.p\.default") as caught:
        load_rule_file(path)
    assert caught.value.line == 11


def test_resource_data_cel_cannot_hold_is_an_evaluation_error(tmp_path: Path) -> None:
    """A resource whose data has a null key errs for each of its kind's rules; the scan goes on."""
    path = tmp_path / "r.yaml"
    path.write_text(
        RULE_WITH_CASE.format(id="r", default=1, resource="{name: api, replicas: 1}"),
        encoding="utf-8",
    )
    engine = Engine([load_rule_file(path)])
    odd = Resource(kind="k8s.workload", id="a", source="s", scope="c", data={None: 1})
    fine = Resource(kind="k8s.workload", id="b", source="s", scope="c", data={"replicas": 1})
    result = engine.evaluate([odd, fine], datetime.now(UTC))
    assert [e.resource.id for e in result.errors] == ["a"]
    assert "None cannot be used as a key" in result.errors[0].error
    assert [f.resource.id for f in result.findings] == ["b"]


def test_config_param_override_cel_cannot_hold_is_a_config_error(tmp_path: Path) -> None:
    """An override with a null key (rules.params) is a ConfigError naming the rule."""
    path = tmp_path / "r.yaml"
    path.write_text(
        RULE_WITH_CASE.format(id="r", default=1, resource="{name: api, replicas: 1}"),
        encoding="utf-8",
    )
    config = AuditorConfig.model_validate({"rules": {"params": {"r": {"p": {None: 1}}}}})
    with pytest.raises(ConfigError, match=r"rules\.params\.r: None cannot be used as a key"):
        configure_rules(config, [load_rule_file(path)])


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("daemon:\n  leader_election:\n    lease_seconds: .inf\n", "daemon.leader_election"),
        ("sources:\n  - {name: a, type: files, paths: [x], interval_seconds: .inf}\n", "sources.0"),
    ],
)
def test_infinite_seconds_are_a_config_error(tmp_path: Path, text: str, field: str) -> None:
    """`.inf` seconds passed `gt=0` and would overflow the daemon's timedelta arithmetic: it is
    now refused at its line like any bad number."""
    path = tmp_path / "auditor.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        ConfigError, match=rf"{field}\.\w+_seconds: Input should be a finite number"
    ):
        load_config(path, environ={})


def test_replica_status_with_non_utf8_bytes_and_infinite_numbers_is_read() -> None:
    """A binary-collation column with non-UTF-8 bytes and an infinite number: the channel is
    still read (replacement characters; the number unknown), not a UnicodeDecodeError or an
    OverflowError that loses the instance."""
    row = {
        "Channel_Name": b"\x80orders",
        "Replica_IO_Running": "Yes",
        "Replica_SQL_Running": "Yes",
        "Seconds_Behind_Source": Decimal("Infinity"),
    }
    data = normalise_channel(row, None)
    assert data["channel"] == "\ufffdorders"
    assert (data["seconds_behind_source"], data["lag_known"]) == (None, False)


def test_airflow_owners_and_tags_that_are_not_lists_read_as_none() -> None:
    """`owners: true` (or any non-list) in a DAG object gives no owners, not a TypeError."""
    facts = dag_facts({"dag_id": "d", "owners": True, "tags": 3}, "v1")
    data = dag_data("env", "v1", facts, RunSummary(), dags_folder="/dags")
    assert (data["owners"], data["tags"]) == ([], [])


def test_airflow_timetable_description_that_is_not_text_is_ignored() -> None:
    """A list as timetable_description no longer raises AttributeError on `.lower()`."""
    assert describe_schedule(None, ["asset"], None).kind == "none"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "raw",
    [
        {"__type": "TimeDelta", "days": "abc"},
        {"__type": "TimeDelta", "days": 10**12},
        {"__type": "RelativeDelta", "months": [1]},
        {"__type": "TimeDelta", "seconds": float("inf")},
    ],
)
def test_airflow_v1_schedule_with_counts_that_are_not_numbers_is_other(raw: dict[str, Any]) -> None:
    """A schedule_interval object whose counts are not finite numbers is an unreadable schedule
    (kind `other`), not a ValueError, TypeError or OverflowError out of the collector."""
    assert describe_schedule(raw, None, None) == Schedule(None, "other", None)


@pytest.mark.parametrize("run_as_user", ["'---01'", "'²'", "'-'", "' 7 '"])
def test_odd_numeric_text_in_a_manifest_is_read_not_raised(
    tmp_path: Path, run_as_user: str
) -> None:
    """`runAsUser: '---01'` passed the digit check (lstrip('-') then isdigit) and crashed
    int(); superscript digits did too. Text that is not an ASCII integer is now no number."""
    path = tmp_path / "pod.yaml"
    path.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: n}\nspec:\n"
        f"  containers:\n    - name: c\n      image: i:1\n"
        f"      securityContext: {{runAsUser: {run_as_user}}}\n",
        encoding="utf-8",
    )
    [pod] = [r for r in load_manifests([path]).resources if r.kind == "k8s.workload"]
    expected = 7 if run_as_user == "' 7 '" else None
    assert pod.data["containers"][0]["run_as_user"] == expected
