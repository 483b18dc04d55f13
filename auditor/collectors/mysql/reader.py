"""Reading one live instance into InstanceRows: each query's own failure handled on its own.

A privilege the monitoring account lacks leaves that part unread (None) and names the grant in
`missing_grants`; the instance still counts as read. A lost connection, a timeout or bad
credentials fail the whole instance (SourceError), and the collector reports it as a problem.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from auditor.collectors.mysql import queries
from auditor.collectors.mysql.columns import variables_map
from auditor.collectors.mysql.flavour import (
    Flavour,
    detect_flavour,
    replica_status_statements,
    replication_monitor_privilege,
)
from auditor.collectors.mysql.rows import HeartbeatRows, InstanceRows, PrivilegeRows, Row
from auditor.collectors.mysql.session import NoSuchTable, QueryDenied, Session, UnknownStatement
from auditor.collectors.mysql.settings import HeartbeatSettings

# Any of these on *.* makes every table's columns visible in information_schema.
_METADATA_PRIVILEGES = frozenset(
    {"REFERENCES", "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "INDEX", "ALTER",
     "SHOW VIEW", "TRIGGER", "CREATE VIEW", "ALL PRIVILEGES"}
)  # fmt: skip
GRANTS_SELECT_MYSQL = "SELECT ON mysql.*"
GRANT_REFERENCES = "REFERENCES ON *.*"


def _time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _grantee(current_user: str) -> str:
    user, _, host = current_user.rpartition("@")
    return "'{}'@'{}'".format(user.replace("'", "''"), host.replace("'", "''"))


def read_instance(session: Session, heartbeat: HeartbeatSettings | None) -> InstanceRows:
    """Everything the normaliser needs from one instance."""
    [identity] = session.rows(queries.IDENTITY)
    flavour = detect_flavour(str(identity["version"]), str(identity["version_comment"] or ""))
    rows = InstanceRows(
        version=str(identity["version"]),
        version_comment=str(identity["version_comment"] or ""),
        utc_now=_time(identity["utc_now"]),
        local_now=_time(identity["local_now"]),
        variables=variables_map(session.rows(queries.VARIABLES)),
        status=variables_map(session.rows(queries.STATUS)),
    )
    own = session.rows(
        queries.OWN_GLOBAL_PRIVILEGES, (_grantee(str(identity["current_user_name"])),)
    )
    rows.own_global_privileges = sorted(str(r["PRIVILEGE_TYPE"]).upper() for r in own)
    rows.replica_status = _replica_status(session, flavour, rows.missing_grants)
    if heartbeat is not None and rows.replica_status:
        rows.heartbeat = _heartbeat(session, heartbeat, rows.missing_grants)
    rows.privileges = _privileges(session, flavour, rows.missing_grants)
    if not _METADATA_PRIVILEGES & set(rows.own_global_privileges):
        # Without one, information_schema silently hides the columns: say so, never all-clear.
        rows.missing_grants.append(GRANT_REFERENCES)
    rows.columns = session.rows(queries.COLUMNS)
    return rows


def _replica_status(session: Session, flavour: Flavour, missing: list[str]) -> list[Row] | None:
    for statement in replica_status_statements(flavour):
        try:
            return session.rows(statement)
        except UnknownStatement:
            continue
        except QueryDenied:
            missing.append(f"{replication_monitor_privilege(flavour)} ON *.*")
            return None
    return None


def _heartbeat(session: Session, settings: HeartbeatSettings, missing: list[str]) -> HeartbeatRows:
    name = f"{settings.schema_name}.{settings.table}"
    try:
        return HeartbeatRows(
            "ok", session.rows(queries.heartbeat(settings.schema_name, settings.table))
        )
    except NoSuchTable:
        return HeartbeatRows("missing_table", error=f"table {name} does not exist")
    except QueryDenied:
        missing.append(f"SELECT ON {name}")
        return HeartbeatRows("denied", error=f"no SELECT on {name}")
    except UnknownStatement:
        return HeartbeatRows("error", error=f"{name} is not a pt-heartbeat table")


def _privileges(session: Session, flavour: Flavour, missing: list[str]) -> PrivilegeRows | None:
    try:
        privileges = PrivilegeRows(logins=session.rows(queries.logins(flavour)))
        roles = queries.roles(flavour)
        privileges.roles = session.rows(roles) if roles else []
    except (QueryDenied, NoSuchTable):
        # Without the grant tables, information_schema shows only the monitor's own grants:
        # reading them would make every other account look harmless.
        missing.append(GRANTS_SELECT_MYSQL)
        return None
    privileges.user = session.rows(queries.USER_PRIVILEGES)
    privileges.schema = session.rows(queries.SCHEMA_PRIVILEGES)
    privileges.table = session.rows(queries.TABLE_PRIVILEGES)
    privileges.column = session.rows(queries.COLUMN_PRIVILEGES)
    return privileges
