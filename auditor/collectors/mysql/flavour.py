"""Which server this is (MySQL, Percona Server or MariaDB, and its version) and what follows."""

from __future__ import annotations

import re
from dataclasses import dataclass

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)")


@dataclass(frozen=True, slots=True)
class Flavour:
    """`name` is 'mysql', 'percona' or 'mariadb'; `version` the (major, minor, patch) triple."""

    name: str
    version: tuple[int, int, int]

    @property
    def is_mariadb(self) -> bool:
        """MariaDB: its own statements (SHOW ALL SLAVES STATUS) and grant tables."""
        return self.name == "mariadb"

    @property
    def version_text(self) -> str:
        """'10.11.19'."""
        return ".".join(str(part) for part in self.version)


def detect_flavour(version: str, version_comment: str = "") -> Flavour:
    """From `SELECT VERSION(), @@version_comment`: '10.11.19-MariaDB-0+deb12u1-log' → mariadb.

    An unparsable version reads as (0, 0, 0) of a MySQL-like server: the statements tried then
    fall back from newest to oldest.
    """
    match = _VERSION.match(version)
    numbers = (
        (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else (0, 0, 0)
    )
    text = f"{version} {version_comment}".lower()
    if "mariadb" in text:
        return Flavour("mariadb", numbers)
    if "percona" in text:
        return Flavour("percona", numbers)
    return Flavour("mysql", numbers)


def replica_status_statements(flavour: Flavour) -> list[str]:
    """The statements to try, in order, for every replication channel of this server.

    MariaDB lists every connection (multi-source) only with SHOW ALL SLAVES STATUS; MySQL
    8.0.22+ has SHOW REPLICA STATUS (one row per channel) and 8.4 no longer has SHOW SLAVE
    STATUS. The next statement is tried only when the server does not know the previous one.
    """
    if flavour.is_mariadb:
        return ["SHOW ALL SLAVES STATUS", "SHOW SLAVE STATUS"]
    if flavour.version >= (8, 0, 22) or flavour.version == (0, 0, 0):
        return ["SHOW REPLICA STATUS", "SHOW SLAVE STATUS"]
    return ["SHOW SLAVE STATUS"]


def replication_monitor_privilege(flavour: Flavour) -> str:
    """The privilege that lets an account read replica status on this server."""
    if flavour.is_mariadb and flavour.version >= (10, 5, 0):
        return "SLAVE MONITOR"
    return "REPLICATION CLIENT"
