"""Who holds which privilege where: information_schema privilege rows and role edges, folded.

Privileges reached through roles count as the account's own: a granted role can always be
activated with SET ROLE, so whoever holds it can use what it grants.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from auditor.collectors.mysql.rows import PrivilegeRows, Row

AccountKey = tuple[str, str]  # (user, host); a MariaDB role is (name, "")
_GRANTEE = re.compile(r"^'((?:[^']|'')*)'(?:@'((?:[^']|'')*)')?$")


def parse_grantee(text: str) -> AccountKey | None:
    """Parse a GRANTEE: "'app'@'10.%'" → ('app', '10.%').

    A MariaDB role reads "'analyst'@''" or "'analyst'" → ('analyst', '').
    """
    match = _GRANTEE.match(text.strip())
    if not match:
        return None
    return match.group(1).replace("''", "'"), (match.group(2) or "").replace("''", "'")


def account_name(key: AccountKey) -> str:
    """How MySQL prints an account (CURRENT_USER()): 'app@10.%'; a MariaDB role: 'analyst'."""
    user, host = key
    return f"{user}@{host}" if host else user


@dataclass(slots=True)
class Grants:
    """One grantee's own privileges at each level; `grantable` records WITH GRANT OPTION."""

    global_privileges: set[str] = field(default_factory=set)
    schema_privileges: set[tuple[str, str]] = field(default_factory=set)  # (pattern, priv)
    table_privileges: set[tuple[str, str, str]] = field(default_factory=set)
    column_privileges: set[tuple[str, str, str, str]] = field(default_factory=set)
    grantable: bool = False
    roles: set[AccountKey] = field(default_factory=set)


def _text(row: Row, name: str) -> str:
    value = row.get(name, row.get(name.lower()))
    if isinstance(value, bytes):
        return value.decode()
    return "" if value is None else str(value)


def collect_grants(rows: PrivilegeRows) -> dict[AccountKey, Grants]:
    """Every grantee's privileges and roles."""
    grants: dict[AccountKey, Grants] = {}

    def entry(row: Row) -> Grants | None:
        key = parse_grantee(_text(row, "GRANTEE"))
        if key is None:
            return None
        found = grants.setdefault(key, Grants())
        if _text(row, "IS_GRANTABLE").upper() == "YES":
            found.grantable = True
        return found

    for row in rows.user:
        if (g := entry(row)) is not None:
            g.global_privileges.add(_text(row, "PRIVILEGE_TYPE").upper())
    for row in rows.schema:
        if (g := entry(row)) is not None:
            g.schema_privileges.add((_text(row, "TABLE_SCHEMA"), _text(row, "PRIVILEGE_TYPE")))
    for row in rows.table:
        if (g := entry(row)) is not None:
            g.table_privileges.add(
                (_text(row, "TABLE_SCHEMA"), _text(row, "TABLE_NAME"), _text(row, "PRIVILEGE_TYPE"))
            )
    for row in rows.column:
        if (g := entry(row)) is not None:
            g.column_privileges.add(
                (
                    _text(row, "TABLE_SCHEMA"),
                    _text(row, "TABLE_NAME"),
                    _text(row, "COLUMN_NAME"),
                    _text(row, "PRIVILEGE_TYPE"),
                )
            )
    for row in rows.roles:
        holder = (_text(row, "user"), _text(row, "host"))
        grants.setdefault(holder, Grants()).roles.add((_text(row, "role"), _text(row, "role_host")))
    for grant in grants.values():
        grant.global_privileges.discard("USAGE")  # USAGE is "no privileges"
    return grants


def reachable(key: AccountKey, grants: dict[AccountKey, Grants]) -> Iterator[tuple[str, Grants]]:
    """(via, grants) for the account itself (via '') and every role it can reach, once each."""
    seen: set[AccountKey] = set()
    stack: list[tuple[AccountKey, str]] = [(key, "")]
    while stack:
        current, via = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        found = grants.get(current)
        if found is None:
            continue
        yield via, found
        for role in sorted(found.roles):
            stack.append((role, via or f"role {account_name(role)}"))


def schema_matches(pattern: str, schema: str) -> bool:
    """Whether a schema-level grant's name covers `schema`: `%` and `_` are LIKE wildcards
    in GRANT ... ON `db`.*, and a backslash makes the next character literal (`shop\\_eu`)."""
    parts: list[str] = []
    escaped = False
    for char in pattern:
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.fullmatch("".join(parts), schema) is not None
