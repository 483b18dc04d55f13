"""One API call: throttling waits what the server asks (never past the deadline), transient
failures are retried a bounded number of times, and other answers are classified."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from kubernetes.client.exceptions import ApiException

from auditor.collectors.base import SourceError
from auditor.collectors.gke.calls import (
    CallPolicy,
    ContinueExpired,
    Forbidden,
    NotServed,
    call_json,
    retry_after_seconds,
)

THROTTLED = json.dumps(
    {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Too many requests, please try again later.",
        "reason": "TooManyRequests",
        "details": {"retryAfterSeconds": 3},
        "code": 429,
    }
)


class Answer:
    """A urllib3-like response carrying a JSON body."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.data = json.dumps(document).encode()
        self.released = False

    def release_conn(self) -> None:
        """Record that the connection went back to the pool."""
        self.released = True


def _error(status: int, headers: dict[str, str] | None = None, body: str = "") -> ApiException:
    error = ApiException(status=status, reason="x")
    error.headers = headers or {}
    error.body = body
    return error


def _policy(sleeps: list[float], *, attempts: int = 4, seconds: float = 60.0) -> CallPolicy:
    return CallPolicy(
        connect_timeout=1,
        read_timeout=5,
        attempts=attempts,
        deadline=time.monotonic() + seconds,
        sleep=sleeps.append,
    )


def _answers(*outcomes: ApiException | dict[str, Any]) -> Any:
    pending = list(outcomes)
    seen: list[tuple[float, float]] = []

    def request(timeouts: tuple[float, float]) -> Answer:
        seen.append(timeouts)
        outcome = pending.pop(0)
        if isinstance(outcome, ApiException):
            raise outcome
        return Answer(outcome)

    request.seen = seen  # type: ignore[attr-defined]
    return request


def test_retry_after_in_seconds_an_http_date_or_the_status_body() -> None:
    """Retry-After as seconds or as an HTTP date, else the Status details; None when absent."""
    assert retry_after_seconds({"Retry-After": "7"}, None) == 7.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (retry_after_seconds({"Retry-After": later}, None) or 0) <= 30
    assert retry_after_seconds({}, THROTTLED) == 3.0
    assert retry_after_seconds({}, "not json") is None
    assert retry_after_seconds(None, None) is None


def test_throttling_waits_what_the_server_asks_then_succeeds() -> None:
    """Two 429s (Retry-After 2, then the body's 3 s) are waited out exactly; then the answer."""
    sleeps: list[float] = []
    request = _answers(
        _error(429, {"Retry-After": "2"}), _error(429, body=THROTTLED), {"items": []}
    )
    assert call_json(request, "listing pods", _policy(sleeps)) == {"items": []}
    assert sleeps == [2.0, 3.0]


def test_server_errors_back_off_with_jitter_within_bounds() -> None:
    """503s without Retry-After wait a jittered, growing, bounded delay."""
    sleeps: list[float] = []
    request = _answers(_error(503), _error(503), _error(503), {"items": []})
    call_json(request, "listing pods", _policy(sleeps))
    assert len(sleeps) == 3
    assert all(
        0 <= delay <= ceiling for delay, ceiling in zip(sleeps, (0.5, 1.0, 2.0), strict=True)
    )


def test_retries_stop_after_max_attempts() -> None:
    """The last failure after max_attempts is a SourceError naming the call and the status."""
    request = _answers(_error(502), _error(502))
    with pytest.raises(SourceError) as caught:
        call_json(request, "listing pods in all namespaces (page 1)", _policy([], attempts=2))
    assert caught.value.kind == "unreachable"
    assert str(caught.value) == (
        "listing pods in all namespaces (page 1): HTTP 502 from the API server after 2 attempts"
    )


def test_a_wait_past_the_deadline_is_not_taken() -> None:
    """Retry-After longer than the time left fails at once (timeout), without sleeping."""
    sleeps: list[float] = []
    request = _answers(_error(429, {"Retry-After": "120"}))
    with pytest.raises(SourceError) as caught:
        call_json(request, "listing pods", _policy(sleeps, seconds=10))
    assert caught.value.kind == "timeout"
    assert sleeps == []


def test_read_timeouts_never_pass_the_deadline() -> None:
    """Each call's connect and read timeouts are cut to the time left."""
    request = _answers({"items": []})
    call_json(request, "listing pods", _policy([], seconds=2))
    [(connect, read)] = request.seen
    assert connect <= 1 and read <= 2


@pytest.mark.parametrize(
    ("status", "raised"),
    [(403, Forbidden), (404, NotServed), (410, ContinueExpired)],
)
def test_answers_about_one_kind_are_raised_for_the_lister(
    status: int, raised: type[Exception]
) -> None:
    """403, 404 and 410 are not retried: the lister turns them into a problem or a restart."""
    sleeps: list[float] = []
    with pytest.raises(raised):
        call_json(_answers(_error(status)), "listing pods", _policy(sleeps))
    assert sleeps == []


def test_refused_credentials_fail_at_once_as_auth() -> None:
    """401 is not retried; the message points at the GKE auth plugin."""
    with pytest.raises(SourceError) as caught:
        call_json(_answers(_error(401)), "reading the server version", _policy([]))
    assert caught.value.kind == "auth"
    assert "gke-gcloud-auth-plugin" in str(caught.value)


def test_an_answer_that_is_not_json_is_a_protocol_error() -> None:
    """A 200 whose body is not a JSON object fails as 'protocol', and the connection is freed."""
    answer = Answer({})
    answer.data = b"<html>proxy login</html>"
    with pytest.raises(SourceError) as caught:
        call_json(lambda _: answer, "listing pods", _policy([]))
    assert caught.value.kind == "protocol"
    assert answer.released
