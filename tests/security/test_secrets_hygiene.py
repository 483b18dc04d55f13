"""Secrets hygiene: every source type runs with canary secrets in its config — on its success
path, with wrong credentials and against a closed port — through `auditor run --once`,
`auditor scan --config` in every report format, `auditor collect` and the daemon for one
cycle, all at debug level; no canary (raw, URL-encoded, base64, hex) appears in any log line,
exception, report, snapshot, metric, /findings body, state store byte or table, Slack or
Alertmanager request."""

from __future__ import annotations

import re

import pytest

from tests.security.canaries import Canaries, assert_no_canary, assert_none_anywhere
from tests.security.estate import Estate
from tests.security.matrix import DAEMON, ONCE, Runs
from tests.security.sources import FAILURE, SUCCESS

pytestmark = pytest.mark.slow


def _source_up(metrics: str, source: str) -> float | None:
    match = re.search(rf'^auditor_source_up\{{[^}}]*source="{re.escape(source)}"[^}}]*\}} (\S+)$',
                      metrics, re.MULTILINE)  # fmt: skip
    return float(match.group(1)) if match else None


def test_the_canaries_were_really_used(runs: Runs, estate: Estate) -> None:
    """Each success source is up and each failure source down in the daemon's metrics (so the
    good canaries opened real sessions), every invocation finished, the Slack webhook was
    posted to through a 500 and a 429, and the ADC key file reached its token endpoint."""
    metrics = runs.by_name(DAEMON).text("GET /metrics")
    assert {s: _source_up(metrics, s) for s in SUCCESS} == dict.fromkeys(SUCCESS, 1.0)
    assert {s: _source_up(metrics, s) for s in FAILURE} == dict.fromkeys(FAILURE, 0.0)
    for said in runs.said:
        assert said.returncode in (0, 1), (said.name, said.returncode, said.channels)
    webhook = estate.canaries.secrets["slack-webhook-token"]
    assert len(runs.slack_paths) >= 3, "Slack: no retry after the 500 and the 429"
    logs = "\n".join(s.text("stderr (structlog JSON at debug)") for s in runs.said)
    failures = [line for line in logs.splitlines() if '"notification failed"' in line]
    for error in ("HTTP 500", "HTTP 429", "alertmanager unreachable"):
        assert any(error in line for line in failures), (error, failures)
    assert all(path.endswith(webhook) for path in runs.slack_paths)
    assert estate.oauth.requests, "the ADC key file was never used"
    assert estate.alertmanager.requests, "Alertmanager was never posted to"


def test_every_failure_is_logged(runs: Runs) -> None:
    """Each failing source's error is in `run --once`'s log: the checks read real failures."""
    stderr = runs.by_name(ONCE).text("stderr (structlog JSON at debug)")
    down = {line for line in stderr.splitlines() if '"source down"' in line}
    for source in FAILURE:
        assert any(f'"source": "{source}"' in line for line in down), source


def test_no_canary_in_logs_reports_metrics_or_state(runs: Runs, estate: Estate) -> None:
    """stdout and stderr (structlog JSON, debug) of every invocation, the table, JSON, SARIF
    and JUnit reports, the snapshot `auditor collect` wrote, /metrics, /findings, /healthz, /readyz, and the state store's file
    bytes and every table carry no canary."""
    channels = list(runs.channels())
    assert len(channels) > 30
    assert_none_anywhere(estate.canaries, channels)


def test_no_canary_in_what_slack_and_alertmanager_received(estate: Estate, runs: Runs) -> None:
    """Alertmanager requests whole (path, headers, body) and Slack requests carry no secret,
    except the Slack webhook token in the path the webhook URL itself names."""
    canaries = estate.canaries
    webhook = canaries.secrets["slack-webhook-token"]
    others = Canaries({k: v for k, v in canaries.secrets.items() if k != "slack-webhook-token"})
    assert runs.slack_paths
    assert_no_canary(others, "\n".join(runs.slack_paths), "Slack request paths")
    assert_no_canary(canaries, b"\n".join(estate.slack.bodies()), "Slack message bodies")
    requests = estate.slack.received().replace(f"/{webhook}\n".encode(), b"/\n")
    assert_no_canary(canaries, requests, "Slack requests (webhook path removed)")
    assert_no_canary(canaries, estate.alertmanager.received(), "Alertmanager requests")


def test_the_detector_sees_secrets_where_they_were_meant_to_go(estate: Estate) -> None:
    """The same detector finds the webhook token in Slack's request path and the ADC key id
    inside the base64url JWT the token endpoint received: a clean result above is not blind."""
    assert "slack-webhook-token (raw)" in estate.canaries.leaks(estate.slack.received())
    sent = estate.canaries.leaks(estate.oauth.received())
    assert any(leak.startswith("gcp-private-key-id (base64") for leak in sent), sent
