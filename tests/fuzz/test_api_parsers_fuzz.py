"""API response parsers under fuzzing: MySQL replica status rows, Airflow REST objects and Kafka
Admin API results. Whatever a server answers, the parsers return data with every documented
field, typed as documented — they never raise on odd values."""

from __future__ import annotations

import json
import re
import struct
from datetime import datetime
from functools import cache
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from auditor.collectors.airflow.api import dag_facts, import_error_facts, run_facts
from auditor.collectors.airflow.normalise import dag_data, environment_data, import_error_data
from auditor.collectors.airflow.runs import summarise
from auditor.collectors.kafka.parse import group_state, parse_assignment, parse_listeners
from auditor.collectors.mysql.normalise import normalise_instance
from auditor.collectors.mysql.rows import HeartbeatRows, InstanceRows
from auditor.collectors.mysql.settings import MysqlSettings
from tests.fuzz.mutations import AWKWARD_SCALARS, fuzz_settings, json_values, mutated
from tests.fuzz.seeds import REPO
from tests.unit.mysql.case_data import INSTANCE
from tests.unit.mysql.recorded import (
    MARIADB_10_11_HEALTHY,
    MARIADB_10_11_WRONG_PASSWORD,
    MYSQL_5_7_DELAYED,
    MYSQL_8_4_CHANNEL_BILLING_BROKEN,
    MYSQL_8_4_CHANNEL_ORDERS,
)
from tests.unit.mysql.test_mysql_contracts import _check as check_mysql_contract

NOW = datetime(2026, 11, 26, 6, 0)

# What pymysql hands back for a column: text, numbers, bytes (binary collations), decimals,
# datetimes, NULL — and the odd values each can hold.
db_values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.binary(max_size=12),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.floats(),
    st.datetimes(),
    st.sampled_from(["Yes", "No", "Connecting", "", "0", "-1", "2026-11-26 05:59:00", "1e3"]),
)
_REPLICA_ROWS = [
    MARIADB_10_11_HEALTHY,
    MARIADB_10_11_WRONG_PASSWORD,
    MYSQL_5_7_DELAYED,
    MYSQL_8_4_CHANNEL_BILLING_BROKEN,
    MYSQL_8_4_CHANNEL_ORDERS,
]


@st.composite
def replica_row(draw: st.DrawFn) -> dict[str, Any]:
    """A recorded SHOW REPLICA STATUS row with some columns given odd values or dropped."""
    row = dict(draw(st.sampled_from(_REPLICA_ROWS)))
    for column in draw(st.lists(st.sampled_from(sorted(row)), max_size=6)):
        if draw(st.booleans()):
            row[column] = draw(db_values)
        else:
            row.pop(column, None)
    return row


heartbeat_rows = st.builds(
    HeartbeatRows,
    status=st.sampled_from(["ok", "missing_table", "denied", "error"]),
    rows=st.lists(st.fixed_dictionaries({"server_id": db_values, "ts": db_values}), max_size=3),
)


@fuzz_settings(100)
@given(rows=st.lists(replica_row(), max_size=3), heartbeat=st.none() | heartbeat_rows)
def test_replica_status_rows_give_documented_channels(
    rows: list[dict[str, Any]], heartbeat: HeartbeatRows | None
) -> None:
    """Any replica status values: channels with every documented field, and lag that is
    known with a number or unknown with a reason."""
    settings = MysqlSettings(
        name="db", type="mysql", instances=[INSTANCE], heartbeat={"schema": "percona"}
    )
    instance_rows = InstanceRows(
        version="10.11.19-MariaDB-log",
        version_comment="",
        utc_now=NOW,
        local_now=NOW,
        replica_status=rows,
        heartbeat=heartbeat,
    )
    for resource in normalise_instance(settings, INSTANCE, instance_rows, NOW):
        if resource.kind != "mysql.replication_channel":
            continue
        check_mysql_contract(resource.kind, resource.data, resource.id)
        data = resource.data
        assert (data["lag_seconds"] is not None) == data["lag_known"]
        assert (data["lag_unknown_reason"] is None) == data["lag_known"]


@cache
def _airflow_recorded() -> dict[str, Any]:
    return json.loads((REPO / "tests/unit/airflow/recorded_v1.json").read_text(encoding="utf-8"))


@cache
def _airflow_documented() -> dict[str, set[str]]:
    fields: dict[str, set[str]] = {}
    kind = None
    doc = REPO / "docs" / "resource-kinds" / "airflow.md"
    for line in doc.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## ((?:airflow|composer)\.\w+)", line)
        if heading:
            kind = heading.group(1)
            fields[kind] = set()
        elif kind and line.startswith("| `"):
            fields[kind].update(re.findall(r"`(\w+)`", line.split("|")[1]))
    return fields


_V2_RENAMES = {"schedule_interval": "timetable_summary", "next_dagrun": "next_dagrun_logical_date"}


def _as_v2(dag: dict[str, Any]) -> dict[str, Any]:
    return {_V2_RENAMES.get(k, k): v for k, v in dag.items()}


@fuzz_settings(100)
@given(
    version=st.sampled_from(["v1", "v2"]),
    dags=st.lists(mutated(_airflow_recorded()["dags"], max_mutations=3), max_size=3),
    runs=st.lists(mutated(_airflow_recorded()["dag_runs"], max_mutations=2), max_size=4),
    errors=st.lists(mutated(_airflow_recorded()["import_errors"], max_mutations=2), max_size=2),
    health=mutated([_airflow_recorded()["health"]], max_mutations=3),
)
def test_airflow_objects_give_documented_resources(
    version: Any, dags: list[Any], runs: list[Any], errors: list[Any], health: Any
) -> None:
    """DAGs, runs, import errors and health answers with fields deleted, retyped or replaced
    become airflow.* data with exactly the documented fields."""
    # The client keeps only JSON objects of a listing (AirflowClient.paged); so does this.
    dag_objects = [d if version == "v1" else _as_v2(d) for d in dags if isinstance(d, dict)]
    facts = [dag_facts(d, version) for d in dag_objects]
    run_list = [run_facts(r, version) for r in runs if isinstance(r, dict)]
    documented = _airflow_documented()
    for dag in facts:
        summary = summarise(r for r in run_list if r.get("dag_id") == dag.get("dag_id"))
        data = dag_data("env", version, dag, summary, dags_folder="/opt/airflow/dags")
        assert set(data) == documented["airflow.dag"], set(data) ^ documented["airflow.dag"]
    for raw in errors:
        if isinstance(raw, dict):
            data = import_error_data(
                "env", import_error_facts(raw, version), [], dags_folder="/opt/airflow/dags"
            )
            assert set(data) == documented["airflow.import_error"]
    environment = environment_data(
        "env",
        platform="airflow",
        url="http://airflow",
        api_version=version,
        airflow_version="2.10.5",
        health=health if isinstance(health, dict) else None,
        dags=facts,
        import_error_count=len(errors),
    )
    assert set(environment) == documented["airflow.environment"]


def _assignment(topics: list[tuple[str, list[int]]]) -> bytes:
    """Kafka's ConsumerProtocol member assignment, version 0, no user data."""
    out = struct.pack(">hi", 0, len(topics))
    for topic, partitions in topics:
        name = topic.encode()
        out += struct.pack(
            f">h{len(name)}si{len(partitions)}i", len(name), name, len(partitions), *partitions
        )
    return out + struct.pack(">i", -1)


_assignments = st.lists(
    st.tuples(
        st.text(min_size=1, max_size=20),
        st.lists(st.integers(min_value=0, max_value=2**31 - 1), max_size=5),
    ),
    max_size=4,
)


@fuzz_settings(150)
@given(topics=_assignments)
def test_consumer_assignment_round_trips(topics: list[tuple[str, list[int]]]) -> None:
    """An assignment encoded as Kafka does reads back to the same topic partitions."""
    expected = tuple((topic, p) for topic, partitions in topics for p in partitions)
    assert parse_assignment(_assignment(topics)) == expected


@fuzz_settings(150)
@given(
    data=st.one_of(
        st.binary(max_size=64),
        _assignments.map(_assignment).flatmap(
            lambda good: st.tuples(st.integers(0, len(good)), st.binary(max_size=4)).map(
                lambda cut: good[: cut[0]] + cut[1] + good[cut[0] :]
            )
        ),
    )
)
def test_any_assignment_bytes_read_as_partitions_or_none(data: bytes) -> None:
    """Another protocol's bytes, or a corrupted assignment: a tuple of (topic, partition)."""
    assigned = parse_assignment(data)
    assert all(isinstance(t, str) and isinstance(p, int) for t, p in assigned)


_listener_text = st.one_of(
    st.text(max_size=60),
    st.lists(
        st.from_regex(
            r"[A-Za-z_]{0,8}://(\[[0-9a-f:]*\]|[a-z0-9.-]{0,10})?:[0-9]{0,6}", fullmatch=True
        ),
        max_size=4,
    ).map(",".join),
)


@fuzz_settings(150)
@given(
    listeners=_listener_text,
    advertised=st.none() | _listener_text,
    protocol_map=st.none() | st.text(max_size=40) | st.just("INTERNAL:SASL_SSL,EXTERNAL:SSL"),
)
def test_broker_listener_configs_parse_without_raising(
    listeners: str, advertised: str | None, protocol_map: str | None
) -> None:
    """Any `listeners` / `advertised.listeners` / protocol map text gives well-formed listeners."""
    configs = {"listeners": listeners}
    if advertised is not None:
        configs["advertised.listeners"] = advertised
    if protocol_map is not None:
        configs["listener.security.protocol.map"] = protocol_map
    for listener in parse_listeners(1, configs):
        assert listener.port >= 0 and listener.name and listener.protocol


@fuzz_settings(100)
@given(state=st.one_of(json_values, st.sampled_from(AWKWARD_SCALARS)))
def test_any_group_state_is_a_kafka_state_name_or_none(state: Any) -> None:
    """Any state value maps to one of Kafka's own names, or None when unknown."""
    known = {"Stable", "Empty", "Dead", "PreparingRebalance", "CompletingRebalance"}
    assert group_state(state) in known | {"Assigning", "Reconciling", None}
