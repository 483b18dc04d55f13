"""The `airflow` source: Cloud Composer and self-hosted Airflow (REST API v1 and v2).

Resources: airflow.environment, airflow.dag, airflow.import_error and, with `delivery`
configured, composer.dag_file (docs/resource-kinds/airflow.md). Settings: docs/sources/airflow.md.
"""

from __future__ import annotations

from auditor.collectors.airflow.collector import AirflowCollector
from auditor.collectors.airflow.settings import AirflowSettings

settings_model = AirflowSettings


def create_collector(settings: AirflowSettings) -> AirflowCollector:
    """The collector for `settings`."""
    return AirflowCollector(settings)


__all__ = ["AirflowCollector", "AirflowSettings", "create_collector", "settings_model"]
