"""Slack sink: one grouped Block Kit message per cycle for new and resolved findings.

Incoming webhook through slack-sdk. At most one message per second per webhook; HTTP 429 is
answered with its Retry-After; 5xx and timeouts are retried with backoff by the daemon's
outbox; a message larger than Block Kit allows is split. The webhook URL is a secret: it never
appears in errors or logs.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_sdk.errors import SlackRequestError
from slack_sdk.webhook import WebhookClient

from auditor.collectors.base import SourceError
from auditor.config import SlackNotifications
from auditor.daemon.sinks import CycleNotice, Delivery
from auditor.engine.runbooks import rule_runbook_url
from auditor.lifecycle import TrackedFinding
from auditor.model import Severity

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
FINDINGS_PER_MESSAGE = 45  # + header and context blocks, under MAX_BLOCKS
MIN_SECONDS_BETWEEN_POSTS = 1.0
SEVERITY_ICON = {
    "critical": ":red_circle:",
    "high": ":large_orange_circle:",
    "medium": ":large_yellow_circle:",
    "low": ":white_circle:",
    "info": ":information_source:",
}


def escape(text: str) -> str:
    """Slack mrkdwn control characters escaped, as Slack asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _numbers(evidence: dict[str, Any], limit: int = 4) -> str:
    shown = []
    for key, value in list(evidence.items())[:limit]:
        if isinstance(value, bool | int | float | str) and len(str(value)) <= 80:
            shown.append(f"{key}={value}")
    return ", ".join(shown)


def finding_section(finding: TrackedFinding, change: str, runbook_base_url: str) -> dict[str, Any]:
    """One finding as a Block Kit section: rule, resource, message, numbers, fix, runbook."""
    body = finding.body
    resource = body.get("resource", {})
    lines = [
        f"{SEVERITY_ICON.get(finding.severity, '')} *{change}* "
        f"`{escape(finding.rule_id)}` ({finding.severity}) on "
        f"`{escape(str(resource.get('kind', '')))}` {escape(str(resource.get('id', '')))}",
        escape(str(body.get("message", ""))),
    ]
    if numbers := _numbers(body.get("evidence") or {}):
        lines.append(f"_{escape(numbers)}_")
    if change == "NEW" and (remediation := str(body.get("remediation", "")).strip()):
        lines.append("Fix: " + escape(remediation.splitlines()[0]))
    if runbook_base_url:
        lines.append(f"<{rule_runbook_url(runbook_base_url, finding.rule_id)}|Runbook>")
    text = "\n".join(lines)
    if len(text) > MAX_SECTION_TEXT:
        text = text[: MAX_SECTION_TEXT - 1] + "…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


class _Pacer:
    """At most one post per second per webhook, shared by every sink in the process.

    A post starts at least a second after the previous one to the same webhook finished, so
    Slack sees them a second apart however long each took in flight.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy: dict[str, threading.Lock] = {}
        self._finished: dict[str, float] = {}

    @contextmanager
    def post(self, webhook: str) -> Iterator[None]:
        with self._lock:
            busy = self._busy.setdefault(webhook, threading.Lock())
        with busy:
            finished = self._finished.get(webhook)
            if finished is not None:
                time.sleep(max(0.0, MIN_SECONDS_BETWEEN_POSTS - (time.monotonic() - finished)))
            try:
                yield
            finally:
                self._finished[webhook] = time.monotonic()


PACER = _Pacer()
# slack-sdk logs each request's URL (the webhook's secret path) at debug, and failures with
# the URL in the text at error: its client gets a logger of its own that never emits.
_SDK_LOG = logging.Logger("exporters.slack.sdk", level=logging.CRITICAL + 1)


class SlackSink:
    """The `auditor.sinks` entry point `slack`."""

    name = "slack"
    replace_pending = False

    def __init__(self, settings: SlackNotifications) -> None:
        self.settings = settings

    def _wanted(self, findings: list[TrackedFinding]) -> list[TrackedFinding]:
        floor = self.settings.min_severity
        chosen = [f for f in findings if Severity(f.severity).at_least(floor)]
        return sorted(chosen, key=lambda f: (-Severity(f.severity).rank, f.rule_id, f.fingerprint))

    def payloads(self, notice: CycleNotice) -> list[dict[str, Any]]:
        """The cycle's new and resolved findings at or above min_severity, in messages of at
        most 50 blocks."""
        items = [("NEW", f) for f in self._wanted(notice.new)]
        items += [("RESOLVED", f) for f in self._wanted(notice.resolved)]
        if not items:
            return []
        new = sum(1 for change, _ in items if change == "NEW")
        resolved = len(items) - new
        chunks = [
            items[i : i + FINDINGS_PER_MESSAGE] for i in range(0, len(items), FINDINGS_PER_MESSAGE)
        ]
        title = f"auditor · {notice.source}: {new} new, {resolved} resolved"
        messages = []
        for index, chunk in enumerate(chunks, start=1):
            part = f" ({index}/{len(chunks)})" if len(chunks) > 1 else ""
            blocks: list[dict[str, Any]] = [
                {"type": "header", "text": {"type": "plain_text", "text": (title + part)[:150]}}
            ]
            blocks += [
                finding_section(f, change, self.settings.runbook_base_url) for change, f in chunk
            ]
            context = f"cycle at {notice.at.isoformat()}"
            if notice.stale:
                context += " · source is down: its other findings are kept as they were"
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
            messages.append({"text": title + part, "blocks": blocks})
        return messages

    def deliver(self, payload: dict[str, Any]) -> Delivery:
        """Post one message; 429 → Retry-After, 5xx/timeout → retry, other 4xx → give up."""
        try:
            url = self.settings.webhook_url.read()
        except SourceError as exc:
            return Delivery(ok=False, error=str(exc))
        client = WebhookClient(
            url,
            timeout=int(max(1, self.settings.timeout_seconds)),
            retry_handlers=[],
            logger=_SDK_LOG,
        )
        try:
            with PACER.post(hashlib.sha256(url.encode()).hexdigest()):
                response = client.send(text=payload.get("text"), blocks=payload.get("blocks"))
        except (OSError, ValueError, SlackRequestError, http.client.HTTPException) as exc:
            # Timeouts, refused, TLS, URL; HTTPException: an answer that is not HTTP (garbled
            # or cut short) — a failed delivery to retry, never an exception out of the sink.
            return Delivery(ok=False, error=f"webhook unreachable: {type(exc).__name__}")
        status = response.status_code
        if status == 200:
            return Delivery(ok=True)
        if status == 429:
            header = {k.lower(): v for k, v in (response.headers or {}).items()}
            retry_after = header.get("retry-after", ["1"])
            raw = retry_after[0] if isinstance(retry_after, list) else retry_after
            try:
                seconds = float(raw)
            except (TypeError, ValueError):
                seconds = 1.0
            return Delivery(ok=False, error="HTTP 429 rate limited", retry_after=seconds)
        error = f"HTTP {status}: {str(response.body)[:100]}"
        return Delivery(ok=False, error=error, permanent=400 <= status < 500)

    def close(self) -> None:
        """Nothing held between posts."""


def create_sink(settings: SlackNotifications) -> SlackSink:
    """The entry point."""
    return SlackSink(settings)
