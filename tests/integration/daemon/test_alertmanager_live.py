"""The daemon's Alertmanager sink against a real Alertmanager: open findings fire, a fixed
finding resolves, a down source keeps its alerts firing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from auditor.config import AlertmanagerNotifications, AuditorConfig
from auditor.daemon.service import Daemon
from auditor.model import Severity
from tests.unit.daemon.estate import daemon_config, write_estate


def _with_alertmanager(config: AuditorConfig, url: str) -> AuditorConfig:
    notifications = config.daemon.notifications.model_copy(
        update={
            "alertmanager": AlertmanagerNotifications(
                url=url, min_severity=Severity.LOW, runbook_base_url="https://runbooks.example"
            )
        }
    )
    daemon = config.daemon.model_copy(update={"notifications": notifications})
    return config.model_copy(update={"daemon": daemon})


def _active(url: str) -> dict[str, dict[str, Any]]:
    response = requests.get(
        url + "/api/v2/alerts",
        params={"active": "true", "silenced": "false", "inhibited": "false"},
        timeout=5,
    )
    response.raise_for_status()
    return {
        a["labels"]["fingerprint"]: a
        for a in response.json()
        if a["labels"].get("alertname") == "AuditorFinding" and a["status"]["state"] == "active"
    }


def test_findings_fire_and_resolve_in_alertmanager(tmp_path: Path, alertmanager: str) -> None:
    """Every open finding is an active alert with rule, severity and runbook; fixing one
    resolves its alert (endsAt in the past); a down source keeps the rest firing."""
    estate = write_estate(tmp_path)
    config = _with_alertmanager(daemon_config(tmp_path, estate), alertmanager)
    daemon = Daemon(config, [])
    daemon.run_once()
    open_now = {t.fingerprint: t for t in daemon.store.findings()}
    active = _active(alertmanager)
    assert set(active) == set(open_now)
    sample = next(iter(active.values()))
    assert sample["labels"]["rule"] == open_now[sample["labels"]["fingerprint"]].rule_id
    assert sample["labels"]["severity"] in {"critical", "warning", "info"}
    assert sample["annotations"]["runbook_url"] == (
        f"https://runbooks.example/rules/{sample['labels']['rule']}.md"
    )

    manifest = estate / "kafka-ui.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert "type: Recreate" in text
    manifest.write_text(text.replace("type: Recreate", "type: RollingUpdate"), encoding="utf-8")
    daemon.run_once()
    fixed = set(open_now) - {t.fingerprint for t in daemon.store.findings()}
    assert fixed, "changing the rollout strategy fixes at least one finding"
    active = _active(alertmanager)
    assert not fixed & set(active)
    assert set(active) == {t.fingerprint for t in daemon.store.findings()}

    manifest.unlink()
    estate.rmdir()  # the source now fails: its path is gone
    daemon.run_once()
    still = _active(alertmanager)
    assert set(active) <= set(still)  # stale findings keep firing while the source is down
    assert any(a["labels"]["rule"] == "auditor-source-down" for a in still.values())
    daemon.stop()
