"""The Slack webhook URL's path is a secret: whatever the URL looks like (a stray space from a
copy-paste, a scheme typo) and however the receiver answers (500, 429, refused), delivering
through the real slack-sdk client puts it in no error, structlog line or stdlib log record —
even with stdlib logging at debug, as an operator's wrapper might configure it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from auditor.collectors.secrets import SecretRef
from auditor.config import SlackNotifications
from exporters.slack import SlackSink
from tests.security.canaries import Canaries, assert_no_canary, canary
from tests.security.recorder import Answer, Recorder, recording_server

ANSWERS = {
    "ok": Answer(200, "ok"),
    "500": Answer(500, "internal_error"),
    "429": Answer(429, "rate_limited", (("Retry-After", "1"),)),
}


@pytest.fixture(scope="module")
def receiver() -> Iterator[Recorder]:
    """A recording webhook receiver for the module."""
    with recording_server() as running:
        yield running


def _urls(receiver: Recorder, token: str) -> dict[str, str]:
    good = f"{receiver.base_url}/services/T0CANARY/B0CANARY/{token}"
    return {
        "well formed": good,
        "leading space": f" {good}",
        "trailing space": f"{good} ",
        "scheme typo": good.replace("http://", "htp://"),
        "no scheme": good.removeprefix("http://"),
        "refused": f"http://127.0.0.1:9/services/T0CANARY/B0CANARY/{token}",
    }


@pytest.mark.parametrize("shape", ["well formed", "leading space", "trailing space",
                                   "scheme typo", "no scheme", "refused"])  # fmt: skip
@pytest.mark.parametrize("answer", sorted(ANSWERS))
def test_the_webhook_url_is_in_no_error_or_log(
    receiver: Recorder,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    shape: str,
    answer: str,
) -> None:
    """One delivery: its error, the structlog events, stdlib records at debug and the
    process's stderr carry no part of the webhook URL's secret path."""
    token = canary("slack-webhook")
    secret = tmp_path / "webhook"
    secret.write_text(_urls(receiver, token)[shape] + "\n", encoding="utf-8")
    sink = SlackSink(SlackNotifications(webhook_url=SecretRef(file=secret)))
    receiver.script[:] = [ANSWERS[answer]]
    with caplog.at_level(logging.DEBUG), structlog.testing.capture_logs() as events:
        delivery = sink.deliver({"text": "auditor: 1 new finding", "blocks": []})
    out, err = capfd.readouterr()
    said = "\n".join([repr(delivery), repr(events), caplog.text, out, err])
    assert_no_canary(Canaries({"slack-webhook": token}), said, f"Slack delivery ({shape})")
    if shape == "well formed":
        assert delivery.ok == (answer == "ok"), delivery
