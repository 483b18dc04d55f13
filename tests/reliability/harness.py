"""The daemon under test: `auditor run`'s service in-process (real state store, collectors,
sinks, HTTP server), with cycles driven one at a time."""

from __future__ import annotations

import re
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families

from auditor.config import load_config
from auditor.daemon.service import Daemon
from auditor.lifecycle import TrackedFinding
from tests.unit.exporters.webhook_receiver import Receiver

SOURCE_KIND = "auditor.source"
# `*NEW* `rule` (severity) on `kind` id` — the first line of a Slack finding section.
SECTION = re.compile(r"\*(NEW|RESOLVED)\* `([^`]+)` \(\w+\) on `([^`]*)` (\S*)")


def slack_changes(receiver: Receiver) -> Counter[tuple[str, str, str, str]]:
    """(NEW|RESOLVED, rule, kind, resource id) → how many times the receiver was told."""
    seen: Counter[tuple[str, str, str, str]] = Counter()
    for post in list(receiver.posts):
        for block in post.get("blocks", []):
            if block.get("type") == "section":
                match = SECTION.search(block["text"]["text"])
                if match:
                    change, rule, kind, resource = match.groups()
                    seen[(change, rule, kind, resource.replace("&amp;", "&"))] += 1
    return seen


class DaemonUnderTest:
    """One started daemon over `sources`, notifying `notifications` (auditor.yaml shapes)."""

    def __init__(
        self,
        root: Path,
        sources: list[dict[str, Any]],
        notifications: dict[str, Any],
        environ: dict[str, str] | None = None,
    ) -> None:
        root.mkdir(parents=True, exist_ok=True)
        document = {
            "state": {"path": str(root / "state.db")},
            # Scheduled cycles once an hour: the test runs every later cycle itself.
            "daemon": {"port": 0, "jitter_seconds": 0, "notifications": notifications},
            "sources": [{"interval_seconds": 3600, **s} for s in sources],
        }
        path = root / "auditor.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        self.state_path = root / "state.db"
        self.daemon = Daemon(load_config(path, environ=environ or {}), [])
        self.port = self.daemon.start()
        deadline = time.monotonic() + 120
        while not self.daemon.snapshot.first_cycle_done():  # the scheduler's first cycle
            assert time.monotonic() < deadline, "the first cycle did not finish"
            time.sleep(0.05)
        self.settle()

    @property
    def url(self) -> str:
        """The daemon's HTTP base URL."""
        return f"http://127.0.0.1:{self.port}"

    def status(self, path: str) -> int:
        """HTTP status of GET path (0 when the daemon does not answer at all)."""
        try:
            return requests.get(self.url + path, timeout=5).status_code
        except requests.RequestException:
            return 0

    def metric(self, name: str, **labels: str) -> float | None:
        """One sample from /metrics (None when absent)."""
        text = requests.get(self.url + "/metrics", timeout=5).text
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and all(
                    sample.labels.get(k) == v for k, v in labels.items()
                ):
                    return float(sample.value)
        return None

    def cycle(self, times: int = 1) -> None:
        """Run every source's cycle `times` times, delivering after each."""
        for _ in range(times):
            for source_cycle in self.daemon.cycles:
                source_cycle.run()
            self.settle()

    def ensure_up(self, source: str, attempts: int = 3) -> None:
        """Cycle until `source` was read (a cold first collection may overrun its deadline on
        a loaded machine): every case starts from a healthy baseline."""
        for _ in range(attempts):
            if self.metric("auditor_source_up", source=source) == 1.0:
                return
            self.cycle()
        assert self.metric("auditor_source_up", source=source) == 1.0, f"{source} never came up"

    def settle(self, timeout: float = 30.0) -> None:
        """Deliver until no message is due now (failed ones wait for their retry time)."""
        deadline = time.monotonic() + timeout
        while True:
            self.daemon.deliverer.deliver_due()
            now = datetime.now(UTC)
            if not any(self.daemon.store.due(s.name, now) for s in self.daemon.sinks):
                return
            assert time.monotonic() < deadline, "messages still due after the timeout"
            time.sleep(0.05)

    def retry_now(self) -> None:
        """Make every undelivered message due now, as if its backoff or Retry-After had passed
        (the daemon's own clock stays true: Alertmanager compares endsAt with its own)."""
        db = sqlite3.connect(self.state_path, timeout=30)
        try:
            with db:  # one committed transaction
                db.execute("UPDATE outbox SET next_attempt_at = 0 WHERE delivered_at IS NULL")
        finally:
            db.close()

    def tracked(self, source: str) -> dict[str, TrackedFinding]:
        """Every lifecycle row of `source` (resolved ones included) by fingerprint."""
        rows = self.daemon.store.findings(include_resolved=True, source=source)
        return {row.fingerprint: row for row in rows}

    def open_findings(self, source: str) -> dict[str, TrackedFinding]:
        """The source's open findings about its resources (not about the source itself)."""
        return {
            fp: row
            for fp, row in self.tracked(source).items()
            if row.status == "open" and row.kind != SOURCE_KIND
        }

    def source_finding(self, source: str, rule: str) -> TrackedFinding | None:
        """The source's own finding of `rule` (auditor-source-down / -partial), if tracked."""
        for row in self.tracked(source).values():
            if row.kind == SOURCE_KIND and row.rule_id == rule:
                return row
        return None

    def stop(self) -> None:
        """Stop the daemon (scheduler, HTTP, collectors, sinks, store)."""
        self.daemon.stop()


@contextmanager
def daemon_under_test(
    root: Path,
    sources: list[dict[str, Any]],
    receiver: Receiver,
    alertmanager_url: str | None = None,
    webhook_url: str | None = None,
) -> Iterator[DaemonUnderTest]:
    """A started daemon announcing every severity to `receiver` (Slack), stopped on exit."""
    root.mkdir(parents=True, exist_ok=True)
    secret = root / "slack-webhook-url"
    secret.write_text(webhook_url or receiver.url, encoding="utf-8")
    secret.chmod(0o600)
    notifications: dict[str, Any] = {
        "slack": {"webhook_url": {"file": str(secret)}, "min_severity": "low", "timeout_seconds": 1}
    }
    if alertmanager_url is not None:
        notifications["alertmanager"] = {"url": alertmanager_url, "timeout_seconds": 1}
    running = DaemonUnderTest(root, sources, notifications)
    try:
        yield running
    finally:
        running.stop()
