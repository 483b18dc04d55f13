"""Real MariaDB servers for tests and benchmarks: the starters live in auditor.demo.live.mariadb
(the live demo starts the same pair); these names are kept for the tests that import them."""

from auditor.demo.live.mariadb import (
    HEARTBEAT_SCHEMA,
    HEARTBEAT_TABLE,
    MONITOR_GRANTS,
    MONITOR_PASSWORD,
    MONITOR_USER,
    REPLICATION_PASSWORD,
    REPLICATION_USER,
    MariaDB,
    ReplicationPair,
    running_pair,
    start_pair,
)
from auditor.demo.live.processes import free_port, wait_until

__all__ = [
    "HEARTBEAT_SCHEMA",
    "HEARTBEAT_TABLE",
    "MONITOR_GRANTS",
    "MONITOR_PASSWORD",
    "MONITOR_USER",
    "REPLICATION_PASSWORD",
    "REPLICATION_USER",
    "MariaDB",
    "ReplicationPair",
    "free_port",
    "running_pair",
    "start_pair",
    "wait_until",
]
