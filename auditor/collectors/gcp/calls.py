"""Every Google API call of the collector goes through here: bounded concurrency per API,
client-side pacing, a per-call deadline, retries on 429 / 503 / deadline exceeded, and one
exception type (CallFailed) that names what could not be read and — for a denial — the
permission from the manifest. Pages are read to the end, each page retried on its own.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar

import requests
from google.api_core import exceptions as api_errors
from google.auth import exceptions as auth_errors
from google.protobuf import message as pb_message  # type: ignore[import-untyped]
from google.protobuf.json_format import ParseError  # type: ignore[import-untyped]

from auditor.collectors.gcp.manifest import load_manifest
from auditor.collectors.gcp.pacing import FairSlots, MinuteWindow
from auditor.collectors.gcp.settings import ApiLimits, GcpSettings
from auditor.collectors.retry import retry

T = TypeVar("T")


class Api(StrEnum):
    """The three APIs, each with its own concurrency and pacing."""

    RESOURCE_MANAGER = "resource_manager"
    IAM = "iam"
    MONITORING = "monitoring"
    ASSET = "asset"


class Method(StrEnum):
    """The API methods called, as the manifest (permissions.yaml) names them."""

    LIST_FOLDERS = "google.cloud.resourcemanager.v3.Folders.ListFolders"
    GET_FOLDER = "google.cloud.resourcemanager.v3.Folders.GetFolder"
    FOLDER_POLICY = "google.cloud.resourcemanager.v3.Folders.GetIamPolicy"
    ORGANIZATION_POLICY = "google.cloud.resourcemanager.v3.Organizations.GetIamPolicy"
    LIST_PROJECTS = "google.cloud.resourcemanager.v3.Projects.ListProjects"
    GET_PROJECT = "google.cloud.resourcemanager.v3.Projects.GetProject"
    PROJECT_POLICY = "google.cloud.resourcemanager.v3.Projects.GetIamPolicy"
    LIST_SERVICE_ACCOUNTS = "google.iam.admin.v1.IAM.ListServiceAccounts"
    LIST_KEYS = "google.iam.admin.v1.IAM.ListServiceAccountKeys"
    LIST_ROLES = "google.iam.admin.v1.IAM.ListRoles"
    GET_ROLE = "google.iam.admin.v1.IAM.GetRole"
    LIST_TIME_SERIES = "google.monitoring.v3.MetricService.ListTimeSeries"
    SEARCH_IAM_POLICIES = "google.cloud.asset.v1.AssetService.SearchAllIamPolicies"
    SEARCH_RESOURCES = "google.cloud.asset.v1.AssetService.SearchAllResources"

    @property
    def short(self) -> str:
        """'Projects.GetIamPolicy'."""
        return ".".join(self.value.rsplit(".", 2)[-2:])


# Worth another attempt: quota (429), unavailable (503), deadline exceeded (504 / client
# timeout) and a dropped connection. Everything else is an answer.
TRANSIENT: tuple[type[BaseException], ...] = (
    api_errors.TooManyRequests,
    api_errors.ServiceUnavailable,
    api_errors.DeadlineExceeded,
    requests.exceptions.Timeout,
    requests.exceptions.ConnectionError,
)


class FailureKind(StrEnum):
    """Why a call failed, in the SourceError vocabulary."""

    PERMISSION = "permission"
    AUTH = "auth"
    UNAVAILABLE = "unavailable"
    TIMEOUT = "timeout"
    PROTOCOL = "protocol"
    NOT_FOUND = "not_found"


class CallFailed(Exception):
    """A call that did not yield an answer; the message names what and why, never a secret."""

    def __init__(
        self,
        kind: FailureKind,
        method: Method,
        target: str,
        detail: str,
        consequence: str = "",
    ) -> None:
        self.kind = kind
        self.method = method
        self.target = target
        self.detail = detail
        self.consequence = consequence
        self.permission = load_manifest().permission_for(method.value)
        super().__init__(self.describe())

    def describe(self, target: str | None = None) -> str:
        """The failure in words, for `target` (default its own)."""
        what = f"{target or self.target}: {self.method.short}"
        if self.kind is FailureKind.PERMISSION:
            lacking = f"permission {self.permission}" if self.permission else "access"
            text = f"{what} denied: the collector lacks {lacking}"
        else:
            text = f"{what} {self.detail}"
        return f"{text} — {self.consequence}" if self.consequence else text

    def so(self, consequence: str) -> CallFailed:
        """The same failure, saying what it cost ('not scanned')."""
        return CallFailed(self.kind, self.method, self.target, self.detail, consequence)


class _DeadlineReached(Exception):
    """The collection's own deadline is near: no new call starts."""


class _Gate:
    def __init__(self, limits: ApiLimits, clock: Callable[[], float]) -> None:
        self.slots = threading.BoundedSemaphore(limits.concurrency)
        self.pace = MinuteWindow(limits.requests_per_minute, clock=clock)


class PagedResponse(Protocol):
    """A list response: its items under some field, and the next page's token."""

    @property
    def next_page_token(self) -> str: ...


R = TypeVar("R", bound=PagedResponse)


@dataclass(frozen=True, slots=True)
class CallStats:
    """What one collection asked: calls per method (attempts included)."""

    calls: dict[str, int]
    waited_for_pace_seconds: float


class ApiCaller:
    """Makes calls for one collection, until `deadline` (a time.monotonic() value)."""

    def __init__(
        self,
        settings: GcpSettings,
        deadline: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.deadline = deadline
        self._clock = clock
        self._sleep = sleep
        self._gates = {
            Api.RESOURCE_MANAGER: _Gate(settings.api.resource_manager, clock),
            Api.IAM: _Gate(settings.api.iam, clock),
            Api.MONITORING: _Gate(settings.api.monitoring, clock),
            Api.ASSET: _Gate(settings.api.asset, clock),
        }
        self._in_flight = FairSlots(settings.api.concurrency)
        self._calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def stats(self) -> CallStats:
        """Calls made so far."""
        with self._lock:
            calls = dict(self._calls)
        waited = sum(gate.pace.waited_seconds for gate in self._gates.values())
        return CallStats(calls=calls, waited_for_pace_seconds=waited)

    def remaining(self) -> float:
        """Seconds left before the collection's deadline."""
        return self.deadline - self._clock()

    def call(self, api: Api, method: Method, target: str, invoke: Callable[[float], T]) -> T:
        """`invoke(timeout)` with retries; raises CallFailed."""
        gate = self._gates[api]

        def once() -> T:
            if self.remaining() <= 0 or not gate.pace.acquire(self.deadline):
                raise _DeadlineReached
            with gate.slots, self._in_flight:
                remaining = self.remaining()  # after waiting for a slot
                if remaining <= 0:
                    raise _DeadlineReached
                with self._lock:
                    self._calls[method.value] += 1
                return invoke(min(self.settings.call_timeout_seconds, remaining))

        policy = self.settings.retry
        try:
            return retry(
                once,
                transient=TRANSIENT,
                attempts=policy.attempts,
                base_delay=policy.initial_backoff_seconds,
                max_delay=policy.max_backoff_seconds,
                deadline=self.deadline,
                sleep=self._sleep,
            )
        except _DeadlineReached:
            raise CallFailed(
                FailureKind.TIMEOUT, method, target, "not called: the collection deadline came"
            ) from None
        except Exception as exc:  # noqa: BLE001 - every failure is classified, none escapes
            raise classify(exc, method, target, policy.attempts) from None

    def pages(
        self,
        api: Api,
        method: Method,
        target: str,
        fetch: Callable[[str, float], R],
    ) -> Iterator[R]:
        """Every page of a listing: `fetch(page_token, timeout)` per page, each retried on its
        own. A token that repeats is a malformed listing, not an endless one."""
        token = ""
        seen: set[str] = set()
        while True:
            page = self.call(api, method, target, functools.partial(fetch, token))
            yield page
            token = page.next_page_token
            if not token:
                return
            if token in seen:
                raise CallFailed(
                    FailureKind.PROTOCOL, method, target, "returned a page token it gave before"
                )
            seen.add(token)


def classify(exc: BaseException, method: Method, target: str, attempts: int) -> CallFailed:
    """The CallFailed for an exception a call raised (after its retries)."""
    if isinstance(exc, CallFailed):
        return exc
    if isinstance(exc, api_errors.Forbidden):
        return CallFailed(FailureKind.PERMISSION, method, target, "")
    if isinstance(exc, api_errors.Unauthorized | auth_errors.GoogleAuthError):
        detail = f"refused the credentials ({type(exc).__name__})"
        return CallFailed(FailureKind.AUTH, method, target, detail)
    if isinstance(exc, api_errors.NotFound):
        return CallFailed(FailureKind.NOT_FOUND, method, target, "found nothing (404)")
    if isinstance(exc, TRANSIENT):
        kind = (
            FailureKind.TIMEOUT
            if isinstance(exc, api_errors.DeadlineExceeded | requests.exceptions.Timeout)
            else FailureKind.UNAVAILABLE
        )
        detail = f"still failing after {attempts} attempt(s): {_transient_reason(exc)}"
        return CallFailed(kind, method, target, detail)
    if isinstance(exc, ParseError | pb_message.DecodeError | ValueError | KeyError | TypeError):
        detail = f"returned a malformed response ({type(exc).__name__})"
        return CallFailed(FailureKind.PROTOCOL, method, target, detail)
    if isinstance(exc, api_errors.GoogleAPICallError):
        status = exc.grpc_status_code
        code = exc.code if exc.code is not None else (status.name if status else "unknown")
        if "deserializ" in str(exc.message).lower():
            detail = "returned a malformed response (undecodable message)"
            return CallFailed(FailureKind.PROTOCOL, method, target, detail)
        return CallFailed(FailureKind.UNAVAILABLE, method, target, f"failed with status {code}")
    return CallFailed(
        FailureKind.PROTOCOL, method, target, f"failed unexpectedly ({type(exc).__name__})"
    )


def _transient_reason(exc: BaseException) -> str:
    if isinstance(exc, api_errors.TooManyRequests):
        return "429 quota exceeded"
    if isinstance(exc, api_errors.ServiceUnavailable):
        return "503 unavailable"
    if isinstance(exc, api_errors.DeadlineExceeded | requests.exceptions.Timeout):
        return "deadline exceeded"
    return "connection failed"


def first_page(pager: Any) -> Any:
    """The response a GAPIC pager already holds, without asking for the next page."""
    return next(iter(pager.pages))
