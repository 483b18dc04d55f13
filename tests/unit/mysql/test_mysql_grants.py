"""Accounts and PII readers from recorded grant rows: every level, roles, LIKE patterns."""

from __future__ import annotations

from auditor.collectors.mysql.accounts import normalise_account
from auditor.collectors.mysql.grants import collect_grants, parse_grantee, schema_matches
from auditor.collectors.mysql.pii import PiiClassifier, read_column, readers
from auditor.collectors.mysql.rows import PrivilegeRows
from auditor.collectors.mysql.settings import PiiSettings
from tests.unit.mysql.recorded import (
    COLUMNS,
    MARIADB_COLUMN_PRIVILEGES,
    MARIADB_LOGINS,
    MARIADB_ROLES,
    MARIADB_SCHEMA_PRIVILEGES,
    MARIADB_TABLE_PRIVILEGES,
    MARIADB_USER_PRIVILEGES,
)

ROWS = PrivilegeRows(
    logins=MARIADB_LOGINS,
    user=MARIADB_USER_PRIVILEGES,
    schema=MARIADB_SCHEMA_PRIVILEGES,
    table=MARIADB_TABLE_PRIVILEGES,
    column=MARIADB_COLUMN_PRIVILEGES,
    roles=MARIADB_ROLES,
)
GRANTS = collect_grants(ROWS)
LOGIN = {(r["user"], r["host"]): r for r in MARIADB_LOGINS}


def _account(user: str, host: str) -> dict[str, object]:
    return normalise_account(LOGIN[(user, host)], GRANTS, False)


def test_grantees_parse_accounts_and_roles() -> None:
    """'user'@'host' and MariaDB's role grantees ('analyst'@'' or 'analyst') parse."""
    assert parse_grantee("'app'@'10.%'") == ("app", "10.%")
    assert parse_grantee("'analyst'@''") == ("analyst", "")
    assert parse_grantee("'analyst'") == ("analyst", "")
    assert parse_grantee("'o''brien'@'%'") == ("o'brien", "%")
    assert parse_grantee("garbage") is None


def test_schema_grant_names_are_like_patterns_with_escapes() -> None:
    """`sh\\_%` covers sh_eu but not shop; an unescaped `_` matches any one character."""
    assert schema_matches("sh\\_%", "sh_eu")
    assert not schema_matches("sh\\_%", "shop")
    assert schema_matches("sh_p", "shop")
    assert schema_matches("shop", "shop") and not schema_matches("shop", "shop2")


def test_root_has_all_privileges_super_and_grant_option() -> None:
    """Every static privilege held on *.* reads as ALL PRIVILEGES."""
    root = _account("root", "localhost")
    assert root["all_privileges"] and root["super"] and root["grant_option"]
    assert root["password_empty"] is True  # plugin '' with an empty authentication string


def test_account_hygiene_facts() -> None:
    """Anonymous, any-host, empty password, locked and REQUIRE SSL read as stated."""
    anonymous = _account("", "localhost")
    assert anonymous["anonymous"] and anonymous["password_empty"]
    bob = _account("bob", "%")
    assert bob["any_host"] and not bob["password_empty"] and bob["roles"] == ["analyst"]
    assert bob["global_privileges"] == []  # USAGE is no privilege
    assert _account("nobody", "10.%")["locked"] is True
    sslu = _account("sslu", "%")
    assert sslu["require_ssl"] and sslu["ssl_type"] == "ANY"
    # A socket-authenticated account has no password to be empty.
    assert _account("ops", "localhost")["password_empty"] is False


def test_pii_readers_at_every_level_through_roles_and_without_locked_accounts() -> None:
    """email: root (global), bob via role analyst (table); nobody's column grant is locked out."""
    classifier = PiiClassifier(PiiSettings())
    columns = {read_column(c).name: read_column(c) for c in COLUMNS}
    unlocked = [k for k, r in LOGIN.items() if not r["locked"] and not r["is_role"]]
    email = readers(columns["email"], unlocked, GRANTS)
    assert [(r["account"], r["via"]) for r in email] == [
        ("bob@%", "role analyst: table"),
        ("root@localhost", "global"),
    ]
    phone = readers(columns["phone"], unlocked, GRANTS)
    assert ("sslu@%", "column") in [(r["account"], r["via"]) for r in phone]
    aadhaar = readers(columns["aadhaar_number"], unlocked, GRANTS)
    assert ("bob@%", "schema sh\\_% (pattern)") in [(r["account"], r["via"]) for r in aadhaar]
    assert classifier.classify(columns["aadhaar_number"])[0] == ["national_id"]


def test_pii_classification_by_name_and_comment() -> None:
    """Names match the category patterns, comments the comment pattern; plain columns do not."""
    classifier = PiiClassifier(PiiSettings())
    columns = {read_column(c).name: read_column(c) for c in COLUMNS}
    assert classifier.classify(columns["email"]) == (["email"], ["name"])
    assert classifier.classify(columns["date_of_birth"]) == (["date_of_birth"], ["name"])
    assert classifier.classify(columns["notes"]) == (["comment"], ["comment"])
    assert classifier.classify(columns["plan"]) == ([], [])
    assert classifier.classify(columns["total"]) == ([], [])
    custom = PiiClassifier(PiiSettings(patterns={"plan": "^plan$"}, comment_pattern=None))
    assert custom.classify(columns["plan"]) == (["plan"], ["name"])
    assert custom.classify(columns["notes"]) == ([], [])
