"""Rule-case resources built by the normaliser itself, so every case is data it really produces.

`python -m tests.unit.mysql.case_data` prints nothing; tests call `base(kind)` and the rule
files' cases were written from it (tests/unit/mysql/test_mysql_rule_cases.py pins them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from auditor.collectors.mysql.accounts import normalise_account
from auditor.collectors.mysql.columns import variables_map
from auditor.collectors.mysql.flavour import detect_flavour
from auditor.collectors.mysql.grants import collect_grants
from auditor.collectors.mysql.pii import normalise_pii_column, read_column
from auditor.collectors.mysql.replication import normalise_channel
from auditor.collectors.mysql.rows import PrivilegeRows
from auditor.collectors.mysql.server import normalise_server
from auditor.collectors.mysql.settings import InstanceSettings
from tests.unit.mysql.recorded import COLUMNS, MARIADB_10_11_HEALTHY, MARIADB_LOGINS

INSTANCE = InstanceSettings(name="orders-replica-1", host="10.20.0.21", user="auditor")
MARIADB_VARIABLES = [
    {"Variable_name": name, "Value": value}
    for name, value in {
        "binlog_format": "ROW", "gtid_strict_mode": "ON", "have_ssl": "YES",
        "innodb_flush_log_at_trx_commit": "1", "log_bin": "ON", "read_only": "ON",
        "require_secure_transport": "ON", "rpl_semi_sync_master_enabled": "OFF",
        "rpl_semi_sync_slave_enabled": "OFF", "server_id": "21", "sync_binlog": "1",
        "version": "10.11.19-MariaDB-log",
    }.items()
]  # fmt: skip


def base(kind: str) -> dict[str, Any]:
    """A healthy resource of `kind` as the collector emits it."""
    common = {"instance": INSTANCE.name, "server": f"{INSTANCE.host}:{INSTANCE.port}"}
    if kind == "mysql.replication_channel":
        row = {**MARIADB_10_11_HEALTHY, "Master_Host": "10.20.0.11", "Master_Port": 3306}
        data = normalise_channel(row, None)
        return {**common, "name": f"{INSTANCE.name}/default", **data, "stale": False}
    if kind == "mysql.server":
        flavour = detect_flavour("10.11.19-MariaDB-log")
        variables = variables_map(MARIADB_VARIABLES)
        status = {"rpl_semi_sync_master_clients": "0"}
        data = normalise_server(INSTANCE, flavour, variables, status, 1, [])
        return {**data, "stale": False}
    if kind == "mysql.account":
        grants = collect_grants(PrivilegeRows())
        [bob] = [r for r in MARIADB_LOGINS if r["user"] == "bob"]
        data = normalise_account(bob, grants, True)
        return {**common, **data, "name": f"{INSTANCE.name}/bob@%", "account": "bob@%",
                "stale": False}  # fmt: skip
    if kind == "mysql.pii_column":
        [email] = [read_column(c) for c in COLUMNS if c["COLUMN_NAME"] == "email"]
        root = {"account": "root@localhost", "user": "root", "host": "localhost",
                "any_host": False, "via": "global"}  # fmt: skip
        data = normalise_pii_column(email, ["email"], ["name"], [root])
        return {**common, **data, "name": f"{INSTANCE.name}/shop.customers.email",
                "stale": False}  # fmt: skip
    raise KeyError(kind)


NOW = datetime(2026, 11, 26, 6, 0)
