"""`auditor collect --source` writes a snapshot that `auditor scan SNAPSHOT` judges to exactly
the findings `auditor scan --source` gives live — through the real CLI, in a subprocess."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.fakes.gcp.seed import acme_org
from tests.fakes.gcp.server import FakeGcp, running_fakes


@pytest.fixture(scope="module")
def live_fakes() -> Iterator[FakeGcp]:
    """The acme organization with its Monitoring data relative to the real clock (the CLI
    collects at the current time)."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with running_fakes(acme_org(now)) as started:
        yield started


def _config(tmp_path: Path, fakes: FakeGcp) -> Path:
    # Windows longer than the seeded 30 minutes of points: runs seconds apart read the same.
    source = fakes.source(
        "acme-gcp",
        organization="123456789012",
        usage={"lookback_days": 120},
        pubsub={"window_minutes": 60},
        composer={"window_minutes": 60},
        assets={"enabled": True},
    )
    config = {
        "state": {"path": str(tmp_path / "state.db")},
        "sources": [source],
        "rules": {"params": {"gcp-iam-external-domain": {"allowed_domains": ["acme.example"]}}},
    }
    path = tmp_path / "auditor.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _findings(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return sorted(
        (f["rule_id"], f["resource"]["id"], f["severity"], f["message"]) for f in report["findings"]
    )


@pytest.mark.slow
def test_a_snapshot_scans_to_the_live_findings(
    tmp_path: Path, live_fakes: FakeGcp, auditor_cli: Callable[..., Any]
) -> None:
    """Same rule, resource, severity and message for every finding, live or from the file."""
    config = _config(tmp_path, live_fakes)
    for _ in range(2):  # usage facts hold for a clock hour: try again if one just ended
        hour = datetime.now(UTC).hour
        live_report, offline_report = _both_ways(config, tmp_path, auditor_cli)
        if datetime.now(UTC).hour == hour:
            break
    assert _findings(offline_report) == _findings(live_report)
    rules = {finding[0] for finding in _findings(live_report)}
    assert {
        "gcp-pubsub-backlog-growing",
        "gcp-iam-sa-dormant",
        "gcp-iam-public-member-pii",
    } <= rules


def _both_ways(
    config: Path, tmp_path: Path, auditor_cli: Callable[..., Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(live scan report, scan of a collected snapshot report)."""
    collected = auditor_cli(
        "collect", "--config", str(config), "--source", "acme-gcp", "--output", "inv.json"
    )
    assert collected.code == 0, collected.stderr
    live = auditor_cli(
        "scan", "--config", str(config), "--source", "acme-gcp", "--format", "json",
        "--fail-on", "none", "--output", "live.json",
    )  # fmt: skip
    assert live.code == 0, live.stderr
    offline = auditor_cli(
        "scan", "--config", str(config), "inv.json", "--format", "json", "--fail-on", "none",
        "--output", "offline.json",
    )  # fmt: skip
    assert offline.code == 0, offline.stderr
    live_report = json.loads((tmp_path / "live.json").read_text(encoding="utf-8"))
    offline_report = json.loads((tmp_path / "offline.json").read_text(encoding="utf-8"))
    return live_report, offline_report
