"""One call to the API server: bounded by the collection's deadline, retried on throttling and
transient failures (honouring Retry-After), and its failure classified without secrets.

403, 404 and 410 are answers about one kind, not about the server: they are raised as their
own exceptions for the lister to turn into a problem (403, 404) or a restarted list (410).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import urllib3.exceptions
from kubernetes.client.exceptions import ApiException

from auditor.collectors.base import SourceError

TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
AUTH_HINT = (
    "for GKE, check that the kubeconfig's gke-gcloud-auth-plugin works for this context "
    "(`kubectl --context CONTEXT get namespaces`)"
)


class Forbidden(Exception):
    """403: the credentials may not do this."""


class NotServed(Exception):
    """404: the API server does not serve this (kind, version or object)."""


class ContinueExpired(Exception):
    """410: the continue token is too old; the list must start again."""


class Cancelled(Exception):
    """Another part of the collection failed; this one stops between calls."""


class RawResponse(Protocol):
    """The urllib3 response a client method returns with `_preload_content=False`."""

    @property
    def data(self) -> bytes:
        """The whole body."""
        ...

    def release_conn(self) -> None:
        """Return the connection to the pool."""
        ...


Request = Callable[[tuple[float, float]], RawResponse]
"""Makes the HTTP request with (connect, read) timeouts and returns the raw response."""


@dataclass(frozen=True, slots=True)
class CallPolicy:
    """Timeouts and retries of every call of one collection."""

    connect_timeout: float
    read_timeout: float
    attempts: int
    deadline: float  # time.monotonic() value; no call or wait goes past it
    base_delay: float = 0.5
    max_delay: float = 10.0
    cancelled: threading.Event = field(default_factory=threading.Event)
    sleep: Callable[[float], None] = time.sleep

    def remaining(self) -> float:
        """Seconds left before the deadline."""
        return self.deadline - time.monotonic()


def call_json(request: Request, what: str, policy: CallPolicy) -> dict[str, Any]:
    """The JSON object `request` answers, after retries; raises SourceError, Forbidden,
    NotServed, ContinueExpired or Cancelled. `what` names the call in messages."""
    for attempt in range(1, policy.attempts + 1):
        if policy.cancelled.is_set():
            raise Cancelled
        remaining = policy.remaining()
        if remaining <= 0:
            raise SourceError("timeout", f"{what}: the collection's deadline passed")
        timeouts = (min(policy.connect_timeout, remaining), min(policy.read_timeout, remaining))
        try:
            return _json(request(timeouts), what)
        except ApiException as exc:
            status = int(exc.status or 0)
            delay = _classify_status(exc, status, what)
            failure = SourceError(*_status_failure(status, what, policy.attempts))
        except urllib3.exceptions.TimeoutError as exc:
            delay = None
            failure = _timeout_failure(exc, what, timeouts)
        except urllib3.exceptions.HTTPError as exc:
            # Refused, reset or DNS: the class says which; its text may carry the URL only.
            delay = None
            failure = SourceError(
                "unreachable", f"{what}: cannot reach the API server ({type(exc).__name__})"
            )
        if attempt == policy.attempts:
            raise failure
        if delay is None:
            ceiling = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
            delay = random.uniform(0, ceiling)  # noqa: S311 - jitter, not security
        if delay >= policy.remaining():
            raise SourceError(
                "timeout", f"{what}: retrying in {delay:g} s would pass the collection's deadline"
            )
        policy.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def _timeout_failure(
    exc: urllib3.exceptions.TimeoutError, what: str, timeouts: tuple[float, float]
) -> SourceError:
    # urllib3 files a refused connection under connect timeouts; it is not one.
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return SourceError(
            "unreachable", f"{what}: cannot reach the API server ({type(exc).__name__})"
        )
    if isinstance(exc, urllib3.exceptions.ConnectTimeoutError):
        return SourceError("timeout", f"{what}: no connection within {timeouts[0]:g} s")
    return SourceError("timeout", f"{what}: no answer within {timeouts[1]:g} s")


def _json(response: RawResponse, what: str) -> dict[str, Any]:
    try:
        body = response.data
    finally:
        response.release_conn()
    try:
        document = json.loads(body)
    except ValueError:
        raise SourceError("protocol", f"{what}: the answer is not JSON") from None
    if not isinstance(document, dict):
        raise SourceError("protocol", f"{what}: the answer is not a JSON object")
    return document


def _classify_status(exc: ApiException, status: int, what: str) -> float | None:
    """The server-asked delay of a transient failure; raises for the other statuses."""
    if status == 401:
        raise SourceError(
            "auth", f"{what}: the API server refused the credentials (HTTP 401); {AUTH_HINT}"
        )
    if status == 403:
        raise Forbidden(what)
    if status == 404:
        raise NotServed(what)
    if status == 410:
        raise ContinueExpired(what)
    if status == 0:
        # The client's wrapper for TLS failures: nothing to retry.
        raise SourceError(
            "unreachable", f"{what}: TLS connection failed (check the kubeconfig's cluster CA)"
        )
    if status not in TRANSIENT_STATUSES:
        raise SourceError("protocol", f"{what}: unexpected HTTP {status}")
    return retry_after_seconds(exc.headers, exc.body)


def _status_failure(status: int, what: str, attempts: int) -> tuple[str, str]:
    if status == 429:
        return "timeout", f"{what}: still throttled (HTTP 429) after {attempts} attempts"
    return "unreachable", f"{what}: HTTP {status} from the API server after {attempts} attempts"


def retry_after_seconds(headers: Mapping[str, str] | None, body: str | None) -> float | None:
    """The wait a 429/503 asks for: its Retry-After header (seconds or an HTTP date), else the
    Status body's details.retryAfterSeconds; None when it asks for none."""
    value = (headers or {}).get("Retry-After")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return max(0.0, (when - datetime.now(UTC)).total_seconds())
    try:
        details = json.loads(body or "").get("details") or {}
        seconds = details.get("retryAfterSeconds")
    except (ValueError, AttributeError):
        return None
    return float(seconds) if isinstance(seconds, int | float) and seconds >= 0 else None
