"""Principals in metrics: e-mail addresses in label values are hashed by default
(exporters/prometheus.py hash_principal) and shown in clear only with
`daemon.hash_principals: false`; read from the daemons' /metrics over the GCP fakes."""

from __future__ import annotations

import json
import re

import pytest

from exporters.prometheus import hash_principal
from tests.security.matrix import CLEAR_DAEMON, DAEMON, Runs

pytestmark = pytest.mark.slow

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}")


def _principals(runs: Runs, daemon: str) -> set[str]:
    """E-mail addresses in the ids of the gcp-ok resources the daemon's findings are about."""
    findings = json.loads(runs.by_name(daemon).text("GET /findings"))
    rows = findings["findings"] if isinstance(findings, dict) else findings
    ids = [json.dumps(f) for f in rows if "gcp-ok" in json.dumps(f)]
    return {m.lower() for text in ids for m in _EMAIL.findall(text)}


def test_metrics_show_principals_only_hashed_by_default(runs: Runs) -> None:
    """With the default config, no principal of a finding appears in /metrics in clear, and
    the finding series carry their sha256 form instead."""
    principals = _principals(runs, DAEMON)
    assert len(principals) >= 3, principals
    metrics = runs.by_name(DAEMON).text("GET /metrics")
    shown = sorted(p for p in principals if p in metrics.lower())
    assert shown == []
    assert any(hash_principal(p) in metrics for p in principals)
    assert not _EMAIL.search(metrics), _EMAIL.search(metrics)


def test_metrics_show_principals_in_clear_when_configured(runs: Runs) -> None:
    """With `daemon.hash_principals: false`, the principals appear in clear in /metrics."""
    principals = _principals(runs, CLEAR_DAEMON)
    metrics = runs.by_name(CLEAR_DAEMON).text("GET /metrics")
    shown = {p for p in principals if p in metrics.lower()}
    assert len(shown) >= 3, (shown, principals)
    assert "sha256:" not in metrics
