"""The DAG folder of the test estate, as it is in Git: one file per situation to judge."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from auditor.demo.live.airflow import dag_source

__all__ = ["dag_source", "write_git_checkout"]


def write_git_checkout(folder: Path, now: datetime) -> None:
    """The Git checkout's DAG folder: fresh, stale, paused, forgotten, manual-only, behind,
    broken, a helper module, and a new DAG that CI never uploaded."""
    long_ago = now - timedelta(days=30)
    files = {
        "fresh.py": dag_source("fresh_hourly", "@hourly", long_ago, tags=("finance",)),
        "stale.py": dag_source("stale_hourly", "@hourly", long_ago, owner="ops"),
        "paused.py": dag_source("paused_daily", "@daily", long_ago),
        "forgotten.py": dag_source("forgotten_daily", "@daily", long_ago),
        "manual.py": dag_source("manual_only", None, long_ago),
        "behind.py": dag_source(
            "behind_daily", "0 3 * * *", now - timedelta(days=10), catchup=True
        ),
        "broken.py": "from airflow.sdk import DAG\nimport not_a_module_xyz  # noqa\n",
        "common/util.py": "def table_name(day):\n    return f'orders_{day}'\n",
        "new_dag.py": dag_source("new_dag", "@daily", long_ago),
        "unsynced.py": dag_source("unsynced_daily", "@daily", long_ago),
    }
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
