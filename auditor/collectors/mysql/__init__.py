"""`type: mysql`: replication health with true lag, server settings, accounts and PII columns.

MySQL 5.7, 8.0, 8.4 and MariaDB (multi-source included) through pymysql. Settings and the
grants the monitoring account needs: docs/sources/mysql.md; kinds: docs/resource-kinds/mysql.md.
"""

from __future__ import annotations

from auditor.collectors.mysql.collector import MysqlCollector
from auditor.collectors.mysql.settings import MysqlSettings

settings_model = MysqlSettings


def create_collector(settings: MysqlSettings) -> MysqlCollector:
    """The collector for `settings`."""
    return MysqlCollector(settings)


__all__ = ["MysqlCollector", "MysqlSettings", "create_collector", "settings_model"]
