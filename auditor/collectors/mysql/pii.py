"""mysql.pii_column: columns that look like personal data, and every account that can read them.

A column is PII when its name matches a configured pattern (email, phone, date of birth, card
number, Aadhaar …) or its comment matches the comment pattern. Readers are the unlocked login
accounts holding SELECT on it at any level — global, schema (LIKE patterns included), table or
column — directly or through a role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from auditor.collectors.mysql.grants import (
    AccountKey,
    Grants,
    account_name,
    reachable,
    schema_matches,
)
from auditor.collectors.mysql.rows import Row
from auditor.collectors.mysql.settings import PiiSettings

PII_COLUMN_KIND = "mysql.pii_column"
SYSTEM_SCHEMAS = frozenset({"mysql", "information_schema", "performance_schema", "sys"})


@dataclass(frozen=True, slots=True)
class Column:
    """One column as information_schema.COLUMNS describes it."""

    schema: str
    table: str
    name: str
    data_type: str
    comment: str


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode()
    return "" if value is None else str(value)


def read_column(row: Row) -> Column:
    """A COLUMNS row (upper- or lower-case keys)."""

    def get(name: str) -> str:
        return _text(row.get(name, row.get(name.lower())))

    return Column(
        get("TABLE_SCHEMA"), get("TABLE_NAME"), get("COLUMN_NAME"), get("DATA_TYPE"),
        get("COLUMN_COMMENT"),
    )  # fmt: skip


class PiiClassifier:
    """Compiled patterns of a PiiSettings."""

    def __init__(self, settings: PiiSettings) -> None:
        self.settings = settings
        self.patterns = {
            category: re.compile(pattern, re.IGNORECASE)
            for category, pattern in settings.patterns.items()
        }
        self.comment = re.compile(settings.comment_pattern) if settings.comment_pattern else None

    def in_scope(self, schema: str) -> bool:
        """Whether the schema is one to classify."""
        if schema.lower() in SYSTEM_SCHEMAS or schema in self.settings.exclude_schemas:
            return False
        return not self.settings.schemas or schema in self.settings.schemas

    def classify(self, column: Column) -> tuple[list[str], list[str]]:
        """(categories, matched_by) — both empty when the column is not PII."""
        categories = [c for c, p in self.patterns.items() if p.search(column.name)]
        matched_by = ["name"] if categories else []
        if self.comment is not None and column.comment and self.comment.search(column.comment):
            matched_by.append("comment")
            if not categories:
                categories = ["comment"]
        return sorted(categories), matched_by


def _select_via(column: Column, grants: Grants) -> str | None:
    """The broadest level at which `grants` gives SELECT on `column`, or None."""
    if "SELECT" in grants.global_privileges:
        return "global"
    for pattern, privilege in sorted(grants.schema_privileges):
        if privilege.upper() == "SELECT" and schema_matches(pattern, column.schema):
            return (
                f"schema {pattern}" if pattern == column.schema else f"schema {pattern} (pattern)"
            )
    for schema, table, privilege in grants.table_privileges:
        if privilege.upper() == "SELECT" and (schema, table) == (column.schema, column.table):
            return "table"
    for schema, table, name, privilege in grants.column_privileges:
        same_table = (schema, table) == (column.schema, column.table)
        if privilege.upper() == "SELECT" and same_table and name.lower() == column.name.lower():
            return "column"
    return None


def readers(
    column: Column, accounts: list[AccountKey], grants: dict[AccountKey, Grants]
) -> list[dict[str, Any]]:
    """Every login account that can SELECT the column, with how."""
    found = []
    for key in accounts:
        for via_role, held in reachable(key, grants):
            level = _select_via(column, held)
            if level is not None:
                found.append(
                    {
                        "account": account_name(key),
                        "user": key[0],
                        "host": key[1],
                        "any_host": key[1] in ("%", ""),
                        "via": f"{via_role}: {level}" if via_role else level,
                    }
                )
                break
    return sorted(found, key=lambda r: str(r["account"]))


def normalise_pii_column(
    column: Column,
    categories: list[str],
    matched_by: list[str],
    reader_list: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    """mysql.pii_column data. `reader_list` None: the grants could not be read."""
    return {
        "name": f"{column.schema}.{column.table}.{column.name}",
        "schema": column.schema,
        "table": column.table,
        "column": column.name,
        "data_type": column.data_type or None,
        "comment": column.comment or None,
        "categories": categories,
        "matched_by": matched_by,
        "readers_known": reader_list is not None,
        "readers": reader_list if reader_list is not None else [],
    }
