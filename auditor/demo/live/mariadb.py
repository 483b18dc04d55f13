"""Real MariaDB servers for the demo, tests and benchmarks: own datadirs, free loopback ports,
stopped by PID.

mariadb-install-db per datadir, mariadbd with --no-defaults on 127.0.0.1, GTID replication;
the machine-wide MariaDB on 3306 is never touched.
"""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pymysql
import pymysql.cursors

from auditor.demo.live.processes import ServiceError, free_port, wait_until

REPLICATION_USER = "repl"
REPLICATION_PASSWORD = "repl-Secret-7"  # noqa: S105 - a throwaway local server's
MONITOR_USER = "auditor"
MONITOR_PASSWORD = "mon-Secret-42"  # noqa: S105 - a throwaway local server's
# What docs/sources/mysql.md asks for, exactly.
MONITOR_GRANTS = (
    "GRANT SLAVE MONITOR, BINLOG MONITOR, REFERENCES ON *.* TO '{user}'@'127.0.0.1'",
    "GRANT SELECT ON mysql.* TO '{user}'@'127.0.0.1'",
    "GRANT SELECT ON {heartbeat_schema}.heartbeat TO '{user}'@'127.0.0.1'",
)
HEARTBEAT_SCHEMA = "percona"
BINARIES = ("mariadb-install-db", "mariadbd")


def missing_binaries() -> list[str]:
    """The MariaDB programs this machine lacks on PATH (Debian: apt-get install mariadb-server)."""
    return [name for name in BINARIES if shutil.which(name) is None]


class _PortTaken(Exception):
    """mariadbd could not bind its port: someone took it after free_port() chose it."""


@dataclass
class MariaDB:
    """One mariadbd on 127.0.0.1:port with its own datadir."""

    name: str
    root: Path
    server_id: int
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def datadir(self) -> Path:
        """Where its data lives."""
        return self.root / self.name / "data"

    @property
    def tmpdir(self) -> Path:
        """Its own temporary directory: servers bootstrapped at once on one machine were seen
        to trip over each other's temporary tables in a shared /tmp."""
        return self.root / self.name / "tmp"

    @property
    def socket_path(self) -> str:
        """Its UNIX socket (kept short: socket paths are limited to ~100 bytes)."""
        return f"/tmp/auditor-{self.name}-{self.port}.sock"  # noqa: S108 - length limit

    def install(self) -> None:
        """Create the system tables in a fresh datadir."""
        self.datadir.mkdir(parents=True, exist_ok=True)
        self.tmpdir.mkdir(exist_ok=True)
        argv = [
            "mariadb-install-db",  # from PATH, like mariadbd
            "--no-defaults",
            "--user=root",
            f"--datadir={self.datadir}",
            f"--tmpdir={self.tmpdir}",  # passed on to mariadbd --bootstrap
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
        ]
        done = subprocess.run(argv, capture_output=True, timeout=120, check=False)  # noqa: S603
        if done.returncode != 0:
            output = (done.stdout + done.stderr).decode(errors="replace")
            raise ServiceError(f"mariadb-install-db {self.name} failed: {output[-3000:]}")

    def start(self, *, primary: bool, attempts: int = 2) -> None:
        """Launch mariadbd and wait until it answers; a port lost to another process between
        choosing and binding it is retried on a new one."""
        for attempt in range(1, attempts + 1):
            try:
                self._launch(primary=primary)
                return
            except _PortTaken:
                if attempt == attempts:
                    raise ServiceError(f"mariadbd {self.name}: port {self.port} taken") from None
                self.port = free_port()

    def _launch(self, *, primary: bool) -> None:
        base = self.root / self.name
        (base / "error.log").unlink(missing_ok=True)  # _answers reads this attempt's only
        args = [
            "mariadbd",
            "--no-defaults",
            "--user=root",
            f"--datadir={self.datadir}",
            f"--tmpdir={self.tmpdir}",
            f"--port={self.port}",
            "--bind-address=127.0.0.1",
            f"--socket={self.socket_path}",
            f"--pid-file={base / 'mariadbd.pid'}",
            f"--server-id={self.server_id}",
            f"--log-error={base / 'error.log'}",
            "--skip-name-resolve",
            "--innodb-buffer-pool-size=32M",
            "--performance-schema=OFF",
            "--log-bin=" + str(base / "binlog"),
            "--binlog-format=ROW",
        ]
        if not primary:
            args += [f"--relay-log={base / 'relay'}", "--log-slave-updates", "--read-only=ON"]
        # Its own process group: a terminal's Ctrl-C reaches the demo, which stops it in order.
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        wait_until(self._answers, timeout=60)

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            log = (self.root / self.name / "error.log").read_text(errors="replace")
            if "Address already in use" in log:
                raise _PortTaken
            raise ServiceError(f"mariadbd {self.name} exited: {log[-2000:]}")
        try:
            self.connect().close()
        except pymysql.err.OperationalError:
            return False
        return True

    def connect(self, user: str = "root", password: str = "") -> pymysql.Connection[Any]:
        """A new autocommit connection over TCP."""
        return pymysql.connect(
            host="127.0.0.1",
            port=self.port,
            user=user,
            password=password,
            autocommit=True,
            connect_timeout=5,
            read_timeout=30,
            cursorclass=pymysql.cursors.DictCursor,
        )

    def sql(self, *statements: str) -> list[dict[str, Any]]:
        """Run statements as root; the rows of the last one."""
        with self.connect() as conn, conn.cursor() as cursor:
            rows: list[dict[str, Any]] = []
            for statement in statements:
                cursor.execute(statement)
                rows = list(cursor.fetchall())
            return rows

    def kill(self) -> None:
        """SIGKILL: the crash a replica suffers mid-collection."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM and wait (SIGKILL if it lingers)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class ReplicationPair:
    """A primary and a GTID replica of it, with a monitoring account on both."""

    primary: MariaDB
    replica: MariaDB

    def replica_status(self) -> dict[str, Any]:
        """The replica's SHOW SLAVE STATUS row ({} when replication is not configured)."""
        rows = self.replica.sql("SHOW SLAVE STATUS")
        return rows[0] if rows else {}

    def change_master(self, *, password: str = REPLICATION_PASSWORD, delay: int = 0) -> None:
        """(Re)point the replica at the primary and start both threads."""
        self.replica.sql(
            "STOP SLAVE",
            f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={self.primary.port}, "
            f"MASTER_USER='{REPLICATION_USER}', MASTER_PASSWORD='{password}', "
            f"MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1, MASTER_DELAY={delay}",
            "START SLAVE",
        )

    def wait_caught_up(self) -> None:
        """Until both threads run and the replica has applied everything the primary wrote."""
        [position] = self.primary.sql("SELECT @@gtid_binlog_pos AS pos")

        def caught_up() -> bool:
            status = self.replica_status()
            return (
                status.get("Slave_IO_Running") == "Yes"
                and status.get("Slave_SQL_Running") == "Yes"
                and self.replica.sql(f"SELECT MASTER_GTID_WAIT('{position['pos']}', 0.2) AS w")[0][
                    "w"
                ]
                == 0
            )

        wait_until(caught_up, timeout=30)

    def restore_healthy(self) -> None:
        """Back to a caught-up, read-only replica with no delay and no errors."""
        self.replica.sql("SET GLOBAL read_only=ON")
        status = self.replica_status()
        if (
            not status
            or status.get("Last_SQL_Errno")
            or status.get("Last_IO_Errno")
            or status.get("SQL_Delay")
            or status.get("Slave_IO_Running") != "Yes"
            or status.get("Slave_SQL_Running") != "Yes"
        ):
            self.replica.sql("STOP SLAVE", "RESET SLAVE")
            self.change_master()
        self.wait_caught_up()

    def stop(self) -> None:
        """Stop both servers."""
        self.replica.stop()
        self.primary.stop()


def _monitor_account(server: MariaDB) -> list[str]:
    return [
        f"CREATE USER IF NOT EXISTS '{MONITOR_USER}'@'127.0.0.1' "
        f"IDENTIFIED BY '{MONITOR_PASSWORD}'",
        *(
            grant.format(user=MONITOR_USER, heartbeat_schema=HEARTBEAT_SCHEMA)
            for grant in MONITOR_GRANTS
        ),
    ]


HEARTBEAT_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {HEARTBEAT_SCHEMA}.heartbeat ("
    " ts varchar(26) NOT NULL,"
    " server_id int unsigned NOT NULL PRIMARY KEY,"
    " file varchar(255) DEFAULT NULL,"
    " position bigint unsigned DEFAULT NULL,"
    " relay_master_log_file varchar(255) DEFAULT NULL,"
    " exec_master_log_pos bigint unsigned DEFAULT NULL)"
)  # pt-heartbeat --create-table's table, verbatim


def start_pair(root: Path) -> ReplicationPair:
    """Install both datadirs in parallel, start both, set up replication and the monitor."""
    primary = MariaDB("primary", root, server_id=1)
    replica = MariaDB("replica", root, server_id=2)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(MariaDB.install, (primary, replica)))
    primary.start(primary=True)
    try:
        replica.start(primary=False)
    except BaseException:
        primary.stop()
        raise
    pair = ReplicationPair(primary, replica)
    try:
        # Created on both servers before replication starts, so GTIDs never collide.
        for server in (primary, replica):
            server.sql(
                "SET SESSION sql_log_bin=0",
                f"CREATE DATABASE IF NOT EXISTS {HEARTBEAT_SCHEMA}",
                HEARTBEAT_TABLE,
                *_monitor_account(server),
            )
        primary.sql(
            f"CREATE USER '{REPLICATION_USER}'@'127.0.0.1' IDENTIFIED BY '{REPLICATION_PASSWORD}'",
            f"GRANT REPLICATION SLAVE ON *.* TO '{REPLICATION_USER}'@'127.0.0.1'",
        )
        replica.sql("SET GLOBAL gtid_slave_pos=''")
        pair.change_master()
        primary.sql(
            "CREATE DATABASE shop",
            "CREATE TABLE shop.customers (id int PRIMARY KEY, email varchar(200), "
            "phone varchar(40) COMMENT 'mobile number', date_of_birth date, "
            "notes text COMMENT 'PII: free text from support', plan varchar(20))",
            "CREATE TABLE shop.orders (id int PRIMARY KEY, customer_id int, total decimal(10,2))",
            "INSERT INTO shop.customers VALUES (1, 'a@example.com', '+44 20 7946 0000', "
            "'1990-01-01', '', 'pro')",
        )
        pair.wait_caught_up()
    except BaseException:
        pair.stop()
        raise
    return pair


@contextmanager
def running_pair(root: Path) -> Iterator[ReplicationPair]:
    """A started pair, stopped (by PID) on exit."""
    pair = start_pair(root)
    try:
        yield pair
    finally:
        pair.stop()
