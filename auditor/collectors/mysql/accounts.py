"""mysql.account: each login account with its effective global privileges and login hygiene."""

from __future__ import annotations

from typing import Any

from auditor.collectors.mysql.grants import AccountKey, Grants, account_name, reachable
from auditor.collectors.mysql.rows import Row

ACCOUNT_KIND = "mysql.account"

# Static global privileges both MySQL (5.7+) and MariaDB have: holding all of them is what
# `GRANT ALL PRIVILEGES ON *.*` gives (the replication-client privilege is named differently).
ALL_PRIVILEGES = frozenset(
    {
        "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "RELOAD", "SHUTDOWN",
        "PROCESS", "FILE", "REFERENCES", "INDEX", "ALTER", "SHOW DATABASES", "SUPER",
        "CREATE TEMPORARY TABLES", "LOCK TABLES", "EXECUTE", "REPLICATION SLAVE",
        "CREATE VIEW", "SHOW VIEW", "CREATE ROUTINE", "ALTER ROUTINE", "CREATE USER",
        "EVENT", "TRIGGER", "CREATE TABLESPACE",
    }
)  # fmt: skip
# Plugins that authenticate with a password (an empty one lets anyone in); socket or
# Kerberos plugins identify the caller by other means.
PASSWORD_PLUGINS = frozenset(
    {
        "", "mysql_native_password", "caching_sha2_password", "sha256_password",
        "mysql_old_password", "ed25519", "parsec",
    }
)  # fmt: skip
_SSL_TYPES = {"0": "", "1": "ANY", "2": "X509", "3": "SPECIFIED"}


def _flag(value: Any) -> bool:
    if isinstance(value, bytes):
        value = value.decode()
    return str(value).strip().lower() in ("1", "y", "yes", "true")


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode()
    return "" if value is None else str(value)


def login_key(row: Row) -> AccountKey:
    """(user, host) of a login row."""
    return _text(row.get("user")), _text(row.get("host"))


def is_role(row: Row) -> bool:
    """Roles are grant bundles, not logins: they are folded into the accounts holding them."""
    return _flag(row.get("is_role"))


def is_locked(row: Row) -> bool:
    """A locked account cannot log in."""
    return _flag(row.get("locked"))


def normalise_account(
    row: Row, grants: dict[AccountKey, Grants], require_secure_transport: bool | None
) -> dict[str, Any]:
    """mysql.account data for one login row (never its password hash: the SQL returns only
    whether it is empty)."""
    key = login_key(row)
    user, host = key
    plugin = _text(row.get("plugin"))
    ssl_type = _text(row.get("ssl_type")).upper()
    ssl_type = _SSL_TYPES.get(ssl_type, ssl_type)
    privileges: set[str] = set()
    grant_option = False
    roles: list[str] = []
    via_roles: set[str] = set()
    for via, found in reachable(key, grants):
        grant_option = grant_option or found.grantable
        if via:
            via_roles |= found.global_privileges - privileges
        privileges |= found.global_privileges
        roles.extend(account_name(r) for r in found.roles)
    if "GRANT OPTION" in privileges:
        grant_option = True
        privileges.discard("GRANT OPTION")
    return {
        "name": account_name(key),
        "user": user,
        "host": host,
        "anonymous": user == "",
        "any_host": host in ("%", ""),
        "plugin": plugin or None,
        "password_empty": plugin.lower() in PASSWORD_PLUGINS and _flag(row.get("password_empty")),
        "locked": is_locked(row),
        "require_ssl": ssl_type != "",
        "ssl_type": ssl_type or None,
        "global_privileges": sorted(privileges),
        "privileges_via_roles": sorted(via_roles),
        "all_privileges": privileges >= ALL_PRIVILEGES,
        "super": "SUPER" in privileges,
        "grant_option": grant_option,
        "roles": sorted(set(roles)),
        "server_requires_secure_transport": require_secure_transport,
    }
