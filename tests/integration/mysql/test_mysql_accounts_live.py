"""Accounts, PII readers, the monitor's own grants and secrets, on a real MariaDB pair."""

from __future__ import annotations

import pytest

from auditor.collectors.mysql import MysqlSettings
from auditor.collectors.mysql.reader import GRANTS_SELECT_MYSQL
from tests.integration.mysql.conftest import collect, everything_said, settings_for
from tests.integration.mysql.mariadb import MONITOR_PASSWORD, MONITOR_USER, ReplicationPair

PII = "mysql.pii_column"
ACCOUNT = "mysql.account"


def test_pii_readers_through_a_role_and_a_schema_grant_are_reported(pair: ReplicationPair) -> None:
    """An any-host analyst reading shop.* through a role is a critical PII finding on both servers."""
    pair.primary.sql(
        "CREATE ROLE shop_reader",
        "GRANT SELECT ON shop.* TO shop_reader",
        "CREATE USER 'analyst'@'%' IDENTIFIED BY 'analyst-pw-1'",
        "GRANT shop_reader TO 'analyst'@'%'",
    )
    pair.wait_caught_up()
    try:
        got = collect(settings_for(pair))
        email = got.one(PII, "replica", "shop.customers.email")
        assert email["categories"] == ["email"]
        assert {"account": "analyst@%", "user": "analyst", "host": "%", "any_host": True,
                "via": "role shop_reader: schema shop"} in email["readers"]  # fmt: skip
        notes = got.one(PII, "primary", "shop.customers.notes")
        assert notes["matched_by"] == ["comment"]
        findings = [f for f in got.of("mysql-pii-readable") if "analyst@%" in f.message]
        assert len(findings) == 2 * 4  # email, phone, date_of_birth, notes on both servers
        assert all(f.severity.value == "critical" for f in findings)
        analyst = got.one(ACCOUNT, "primary", "analyst@%")
        assert analyst["roles"] == ["shop_reader"] and analyst["any_host"]
        assert [f for f in got.of("mysql-account-any-host") if "analyst@%" in f.message]
        assert "analyst-pw-1" not in everything_said(got)
    finally:
        pair.primary.sql("DROP USER 'analyst'@'%'", "DROP ROLE shop_reader")
        pair.wait_caught_up()


def test_root_without_password_is_critical(pair: ReplicationPair) -> None:
    """The fresh install's passwordless root@127.0.0.1 is an empty-password finding."""
    got = collect(settings_for(pair))
    messages = [f.message for f in got.of("mysql-account-empty-password")]
    assert any("root@127.0.0.1 on primary" in m for m in messages)
    assert not [
        f for f in got.of("mysql-account-admin-privileges") if "root@127.0.0.1" in f.message
    ]


def test_missing_grant_is_a_finding_and_a_problem_not_a_crash(pair: ReplicationPair) -> None:
    """Without SELECT on mysql.* the accounts are not read, and the gap is named twice."""
    revoke = f"REVOKE SELECT ON mysql.* FROM '{MONITOR_USER}'@'127.0.0.1'"
    pair.replica.sql("SET SESSION sql_log_bin=0", revoke)
    try:
        got = collect(settings_for(pair))
        assert got.result.health.up
        assert got.one("mysql.server", "replica")["missing_grants"] == [GRANTS_SELECT_MYSQL]
        assert not [r for r in got.resources if r.kind == ACCOUNT and "/replica/" in r.id]
        assert got.one(PII, "replica", "shop.customers.email")["readers_known"] is False
        [finding] = got.of("mysql-monitor-missing-grants")
        assert "SELECT ON mysql.*" in finding.message
        assert any("lacks SELECT ON mysql.*" in p for p in got.result.problems)
    finally:
        grant = f"GRANT SELECT ON mysql.* TO '{MONITOR_USER}'@'127.0.0.1'"
        pair.replica.sql("SET SESSION sql_log_bin=0", grant)


def test_wrong_monitor_password_never_appears_anywhere(
    pair: ReplicationPair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad password fails that instance with kind auth; its text is in no output."""
    wrong = "Wr0ng-" + MONITOR_PASSWORD[::-1]
    monkeypatch.setenv("WRONG_PW", wrong)
    document = settings_for(pair).model_dump(mode="json", by_alias=True)
    document["instances"][1]["password"] = {"env": "WRONG_PW"}
    got = collect(MysqlSettings.model_validate(document))
    assert got.result.health.up
    [problem] = got.result.problems
    assert "access denied (mysql error 1045)" in problem
    assert got.one("mysql.server", "replica")["error_kind"] == "auth"
    assert wrong not in everything_said(got)
