"""The SQL the collector runs, per flavour. Each returns plain rows; none reads table data
other than the grant tables and the heartbeat table (docs/sources/mysql.md lists the grants)."""

from __future__ import annotations

from auditor.collectors.mysql.columns import SERVER_STATUS, SERVER_VARIABLES, all_names
from auditor.collectors.mysql.flavour import Flavour
from auditor.collectors.mysql.pii import SYSTEM_SCHEMAS

IDENTITY = (
    "SELECT VERSION() AS version, @@version_comment AS version_comment, "
    "UTC_TIMESTAMP(6) AS utc_now, NOW(6) AS local_now, CURRENT_USER() AS current_user_name"
)


def _names(names: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)  # constants from columns.py, not input


VARIABLES = f"SHOW GLOBAL VARIABLES WHERE Variable_name IN ({_names(all_names(SERVER_VARIABLES))})"
STATUS = f"SHOW GLOBAL STATUS WHERE Variable_name IN ({_names(all_names(SERVER_STATUS))})"
OWN_GLOBAL_PRIVILEGES = (
    "SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = %s"
)

# Logins, flavour-neutral: the password hash never leaves the server, only whether it is empty.
MARIADB_LOGINS = """
SELECT User AS user, Host AS host,
       JSON_VALUE(Priv, '$.plugin') AS plugin,
       IFNULL(JSON_VALUE(Priv, '$.authentication_string'), '') = '' AS password_empty,
       IFNULL(JSON_EXTRACT(Priv, '$.account_locked'), 'false') = 'true' AS locked,
       IFNULL(JSON_VALUE(Priv, '$.ssl_type'), '0') AS ssl_type,
       IFNULL(JSON_EXTRACT(Priv, '$.is_role'), 'false') = 'true' AS is_role
FROM mysql.global_priv
"""
MYSQL_LOGINS = """
SELECT u.User AS user, u.Host AS host, u.plugin AS plugin,
       u.authentication_string = '' AS password_empty,
       u.account_locked = 'Y' AS locked,
       u.ssl_type AS ssl_type,
       (u.account_locked = 'Y' AND u.authentication_string = '' AND EXISTS (
          SELECT 1 FROM mysql.role_edges e
          WHERE e.FROM_USER = u.User AND e.FROM_HOST = u.Host)) AS is_role
FROM mysql.user u
"""
MYSQL_57_LOGINS = """
SELECT User AS user, Host AS host, plugin, authentication_string = '' AS password_empty,
       account_locked = 'Y' AS locked, ssl_type, 0 AS is_role
FROM mysql.user
"""
MARIADB_ROLES = (
    "SELECT User AS user, Host AS host, Role AS role, '' AS role_host FROM mysql.roles_mapping"
)
MYSQL_ROLES = (
    "SELECT TO_USER AS user, TO_HOST AS host, FROM_USER AS role, FROM_HOST AS role_host "
    "FROM mysql.role_edges"
)
USER_PRIVILEGES = (
    "SELECT GRANTEE, PRIVILEGE_TYPE, IS_GRANTABLE FROM information_schema.USER_PRIVILEGES"
)
SCHEMA_PRIVILEGES = (
    "SELECT GRANTEE, TABLE_SCHEMA, PRIVILEGE_TYPE, IS_GRANTABLE "
    "FROM information_schema.SCHEMA_PRIVILEGES"
)
TABLE_PRIVILEGES = (
    "SELECT GRANTEE, TABLE_SCHEMA, TABLE_NAME, PRIVILEGE_TYPE, IS_GRANTABLE "
    "FROM information_schema.TABLE_PRIVILEGES"
)
COLUMN_PRIVILEGES = (
    "SELECT GRANTEE, TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, PRIVILEGE_TYPE, IS_GRANTABLE "
    "FROM information_schema.COLUMN_PRIVILEGES"
)
COLUMNS = (
    "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_COMMENT "  # noqa: S608
    "FROM information_schema.COLUMNS "
    f"WHERE TABLE_SCHEMA NOT IN ({_names(sorted(SYSTEM_SCHEMAS))}) "
    "ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION"
)


def heartbeat(schema: str, table: str) -> str:
    """The heartbeat rows (identifiers are validated by the settings model)."""
    return f"SELECT server_id, ts FROM `{schema}`.`{table}`"  # noqa: S608


def logins(flavour: Flavour) -> str:
    """The logins query for this server."""
    if flavour.is_mariadb:
        return MARIADB_LOGINS
    return MYSQL_LOGINS if flavour.version >= (8, 0, 0) else MYSQL_57_LOGINS


def roles(flavour: Flavour) -> str | None:
    """Who holds which role (None: the server has no roles)."""
    if flavour.is_mariadb:
        return MARIADB_ROLES
    return MYSQL_ROLES if flavour.version >= (8, 0, 0) else None
