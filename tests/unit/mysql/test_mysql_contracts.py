"""Contracts: documented fields are exactly the produced ones, and every rule case resource is
data the normaliser really produces (same fields, same types)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.collectors.mysql.columns import variables_map
from auditor.collectors.mysql.normalise import normalise_instance
from auditor.collectors.mysql.rows import HeartbeatRows, InstanceRows, PrivilegeRows
from auditor.collectors.mysql.server import SERVER_FIELDS, unreachable_server
from auditor.collectors.mysql.settings import MysqlSettings
from tests.unit.mysql.case_data import INSTANCE, MARIADB_VARIABLES, base
from tests.unit.mysql.recorded import (
    COLUMNS,
    MARIADB_10_11_HEALTHY,
    MARIADB_COLUMN_PRIVILEGES,
    MARIADB_LOGINS,
    MARIADB_ROLES,
    MARIADB_SCHEMA_PRIVILEGES,
    MARIADB_TABLE_PRIVILEGES,
    MARIADB_USER_PRIVILEGES,
    MYSQL_8_4_CHANNEL_BILLING_BROKEN,
    MYSQL_8_4_CHANNEL_ORDERS,
)

REPO = Path(__file__).resolve().parents[3]
DOC = REPO / "docs" / "resource-kinds" / "mysql.md"
KINDS = ("mysql.server", "mysql.replication_channel", "mysql.account", "mysql.pii_column")
TYPES = {"string": str, "int": int, "bool": bool, "double": float, "list": list}


def documented() -> dict[str, dict[str, set[type]]]:
    """Field → allowed Python types, per kind, from the doc's tables."""
    fields: dict[str, dict[str, set[type]]] = {}
    kind = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## mysql."):
            kind = line[3:].strip()
            fields[kind] = {}
        elif kind and line.startswith("| `"):
            names = re.findall(r"`(\w+)`", line.split("|")[1])
            types = [t.strip() for t in line.split("|")[2].split(",")]
            for index, name in enumerate(names):
                declared = types[min(index, len(types) - 1)]
                fields[kind][name] = {TYPES[declared]} | ({int} if declared == "double" else set())
    return fields


def produced() -> list[Any]:
    """Resources of every kind from recorded MariaDB and MySQL 8.4 rows."""
    settings = MysqlSettings(
        name="shop-db", type="mysql", instances=[INSTANCE], heartbeat={"schema": "percona"}
    )
    rows = InstanceRows(
        version="10.11.19-MariaDB-log",
        version_comment="Debian 12",
        utc_now=datetime(2026, 11, 26, 6, 0),
        local_now=datetime(2026, 11, 26, 6, 0),
        variables=variables_map(MARIADB_VARIABLES),
        replica_status=[MARIADB_10_11_HEALTHY, MYSQL_8_4_CHANNEL_ORDERS,
                        MYSQL_8_4_CHANNEL_BILLING_BROKEN],
        heartbeat=HeartbeatRows("ok", [{"server_id": 12, "ts": "2026-11-26T05:59:00"}]),
        privileges=PrivilegeRows(
            logins=MARIADB_LOGINS, user=MARIADB_USER_PRIVILEGES, schema=MARIADB_SCHEMA_PRIVILEGES,
            table=MARIADB_TABLE_PRIVILEGES, column=MARIADB_COLUMN_PRIVILEGES, roles=MARIADB_ROLES,
        ),
        columns=COLUMNS,
    )  # fmt: skip
    return normalise_instance(settings, INSTANCE, rows, datetime(2026, 11, 26, 6, 0))


def _check(kind: str, data: dict[str, Any], where: str) -> None:
    spec = documented()[kind]
    assert set(data) == set(spec), (where, set(data) ^ set(spec))
    for name, value in data.items():
        if value is not None:
            assert type(value) in spec[name], (where, name, value)


@pytest.mark.parametrize("kind", KINDS)
def test_every_documented_field_is_produced_with_its_type_and_nothing_else(kind: str) -> None:
    """Each produced resource of the kind has exactly the documented fields, typed as documented."""
    resources = [r for r in produced() if r.kind == kind]
    assert resources
    for resource in resources:
        _check(kind, resource.data, resource.id)


def test_unreachable_server_has_every_field() -> None:
    """A server that did not answer still has every documented field (null when unknown)."""
    data = {**unreachable_server(INSTANCE, "unreachable", "lost", None), "stale": False}
    _check("mysql.server", data, "unreachable")
    assert set(SERVER_FIELDS) | {"stale"} == set(data)


def _cases() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path in sorted((REPO / "rules" / "mysql").glob("*.yaml")):
        rule = yaml.safe_load(path.read_text(encoding="utf-8"))
        for side in ("pass", "fail"):
            for case in rule["cases"][side]:
                found.append((f"{rule['id']}: {case['name']}", rule["resource"], case["resource"]))
    return found


@pytest.mark.parametrize(
    ("name", "kind", "data"), _cases(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_rule_case_resources_are_normaliser_shaped(
    name: str, kind: str, data: dict[str, Any]
) -> None:
    """Every case resource has the kind's documented fields with the produced types."""
    _check(kind, data, name)
    assert set(data) == set(base(kind)), name
