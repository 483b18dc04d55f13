"""Each source collected in-process with stdlib logging at debug for every library (pymysql,
librdkafka via structlog, requests/urllib3, google-auth, the kubernetes client), as a program
embedding auditor or an operator's logging set-up would have it: no canary in a log record,
a structlog event, the source's error and problems, or its resources."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
import structlog

from auditor.collectors.base import CollectorContext
from auditor.collectors.registry import create_collector, settings_model_for
from auditor.collectors.runner import run_collection
from auditor.state import HistoryStore
from tests.security.canaries import assert_no_canary
from tests.security.estate import Estate
from tests.security.sources import FAILURE, SUCCESS, environment, sources

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", SUCCESS + FAILURE)
def test_a_collection_logs_no_secret_at_debug(
    estate: Estate,
    name: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One collection of source `name`: up when its credentials are right, down otherwise,
    and nothing it logged or reported holds a canary."""
    for variable, value in environment(estate).items():
        monkeypatch.setenv(variable, value)
    entry = next(s for s in sources(estate) if s["name"] == name)
    settings = settings_model_for(entry["type"]).model_validate(entry)
    collector = create_collector(settings)
    context = CollectorContext(now=lambda: datetime.now(UTC), history=HistoryStore())
    with caplog.at_level(logging.DEBUG), structlog.testing.capture_logs() as events:
        try:
            result = run_collection(
                name, entry["type"], collector, context, timeout_seconds=settings.timeout_seconds
            )
        finally:
            collector.close()
    assert result.health.up == (name in SUCCESS), result.health.error
    if entry["type"] in ("airflow", "gke"):  # HTTP through urllib3: its debug lines were seen
        assert any(r.name.startswith("urllib3") for r in caplog.records), caplog.text
    said = json.dumps(
        [result.health.error, result.problems, [[r.id, r.data] for r in result.resources], events],
        default=str,
    )
    assert_no_canary(estate.canaries, said + caplog.text, f"in-process collection of {name}")
