"""Failures the fake API server can inject into list calls, shaped as a real server sends them."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp.web

SERVICE_ACCOUNT = "system:serviceaccount:auditor:auditor"
EXPIRED_MESSAGE = (
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted between "
    "the time the first chunk was returned and now may show up in the list."
)


@dataclass(slots=True)
class Fault:
    """One injected failure for list calls of `plural`.

    `status` 0 answers normally, but only after `stall_seconds`. `times` is how many matching
    calls it answers (None: all of them); `namespace` limits it to lists in that namespace ('' for
    cluster-wide lists, None for any); `on_continue` limits it to calls carrying a continue
    token; `then` runs (in the server's thread) when it fires.
    """

    plural: str
    status: int
    stall_seconds: float = 0.0
    times: int | None = 1
    namespace: str | None = None
    on_continue: bool = False
    retry_after: int | None = None
    then: Callable[[], None] | None = None

    def matches(self, plural: str, namespace: str, continued: bool) -> bool:
        """Whether this fault answers a list call of `plural` in `namespace`."""
        if self.times is not None and self.times <= 0:
            return False
        if plural != self.plural or (self.on_continue and not continued):
            return False
        return self.namespace is None or self.namespace == namespace

    def fire(self) -> None:
        """Count one use and run the side effect, if any."""
        if self.times is not None:
            self.times -= 1
        if self.then is not None:
            self.then()


def status_response(
    code: int,
    reason: str,
    message: str,
    *,
    details: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> aiohttp.web.Response:
    """A `kind: Status` failure as the API server writes it."""
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": metadata or {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details is not None:
        body["details"] = details
    return aiohttp.web.json_response(body, status=code, headers=headers)


def fault_response(
    fault: Fault, group: str, namespace: str, continue_token: str
) -> aiohttp.web.Response:
    """The response a real API server gives for this kind of failure."""
    plural = fault.plural
    qualified = f"{plural}.{group}" if group else plural
    if fault.status == 403:
        scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
        return status_response(
            403,
            "Forbidden",
            f'{qualified} is forbidden: User "{SERVICE_ACCOUNT}" cannot list resource '
            f'"{plural}" in API group "{group}" {scope}',
            details={"group": group, "kind": plural},
        )
    if fault.status == 429:
        seconds = fault.retry_after if fault.retry_after is not None else 1
        return status_response(
            429,
            "TooManyRequests",
            "Too many requests, please try again later.",
            details={"retryAfterSeconds": seconds},
            headers={"Retry-After": str(seconds)},
        )
    if fault.status == 410:
        return status_response(
            410, "Expired", EXPIRED_MESSAGE, metadata={"continue": continue_token}
        )
    if fault.status == 503:
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else None
        return status_response(
            503,
            "ServiceUnavailable",
            "the server is currently unable to handle the request",
            headers=headers,
        )
    return status_response(
        fault.status,
        "InternalError",
        "an error on the server has prevented the request from succeeding",
    )


def encode_continue(revision: int, after: tuple[str, str]) -> str:
    """A continue token in the real server's format (base64 JSON), opaque to clients."""
    document = {"v": "meta.k8s.io/v1", "rv": revision, "start": "/".join(after) + "\x00"}
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode()


def decode_continue(token: str) -> tuple[str, str] | None:
    """The (namespace, name) a token continues after; None for a token we did not issue."""
    try:
        document = json.loads(base64.urlsafe_b64decode(token.encode()))
        namespace, _, name = str(document["start"]).rstrip("\x00").rpartition("/")
    except (ValueError, KeyError, TypeError):
        return None
    return namespace, name
