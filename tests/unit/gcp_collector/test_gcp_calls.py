"""Every API call: retried on 429, 503 and deadline exceeded; a denial names the permission
from the manifest; pages followed to the end; no call after the collection's deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from google.api_core import exceptions as api_errors
from google.protobuf.json_format import ParseError

from auditor.collectors.gcp import GcpSettings
from auditor.collectors.gcp.calls import Api, ApiCaller, CallFailed, FailureKind, Method

SETTINGS = GcpSettings.model_validate(
    {
        "name": "org",
        "type": "gcp",
        "organization": "1",
        "retry": {"attempts": 4, "initial_backoff_seconds": 0.5, "max_backoff_seconds": 2},
    }
)


@dataclass
class Answers:
    """A call that raises the given exceptions in turn, then returns `value`."""

    failures: list[BaseException]
    value: Any = "policy"
    timeouts: list[float] = field(default_factory=list)

    def __call__(self, timeout: float) -> Any:
        self.timeouts.append(timeout)
        if self.failures:
            raise self.failures.pop(0)
        return self.value


def caller(deadline_in: float = 60.0) -> tuple[ApiCaller, list[float]]:
    """An ApiCaller whose backoff sleeps are recorded, not slept."""
    slept: list[float] = []
    return ApiCaller(SETTINGS, time.monotonic() + deadline_in, sleep=slept.append), slept


def call(api_caller: ApiCaller, answers: Callable[[float], Any]) -> Any:
    """A project policy read through `api_caller`."""
    return api_caller.call(Api.RESOURCE_MANAGER, Method.PROJECT_POLICY, "projects/p1", answers)


@pytest.mark.parametrize(
    "transient",
    [
        api_errors.TooManyRequests("quota"),
        api_errors.ResourceExhausted("quota"),
        api_errors.ServiceUnavailable("down"),
        api_errors.DeadlineExceeded("slow"),
        requests.exceptions.ReadTimeout("slow"),
    ],
)
def test_transient_failures_are_retried_with_backoff(transient: BaseException) -> None:
    """Two failures, then the answer; two backoff sleeps within the configured ceiling."""
    api_caller, slept = caller()
    answers = Answers([transient, transient])
    assert call(api_caller, answers) == "policy"
    assert len(slept) == 2 and all(0 <= s <= 2 for s in slept)
    assert api_caller.stats().calls == {Method.PROJECT_POLICY.value: 3}
    assert answers.timeouts[0] <= SETTINGS.call_timeout_seconds


def test_a_storm_outlasting_the_retries_is_named() -> None:
    """503 on every attempt: CallFailed says which call, how many attempts and why."""
    api_caller, _ = caller()
    with pytest.raises(CallFailed) as failed:
        call(api_caller, Answers([api_errors.ServiceUnavailable("down")] * 4))
    assert failed.value.kind is FailureKind.UNAVAILABLE
    assert str(failed.value) == (
        "projects/p1: Projects.GetIamPolicy still failing after 4 attempt(s): 503 unavailable"
    )


def test_a_denial_names_the_permission_from_the_manifest() -> None:
    """403 is not retried; the failure names resourcemanager.projects.getIamPolicy."""
    api_caller, slept = caller()
    with pytest.raises(CallFailed) as failed:
        call(api_caller, Answers([api_errors.Forbidden("denied")]))
    assert failed.value.kind is FailureKind.PERMISSION
    assert failed.value.permission == "resourcemanager.projects.getIamPolicy"
    assert "lacks permission resourcemanager.projects.getIamPolicy" in str(failed.value)
    assert slept == []
    assert str(failed.value.so("not judged")).endswith("— not judged")


def test_an_undecodable_answer_is_a_protocol_failure() -> None:
    """A body the client cannot parse is named as malformed, not retried."""
    api_caller, slept = caller()
    with pytest.raises(CallFailed) as failed:
        call(api_caller, Answers([ParseError("Failed to load JSON")]))
    assert failed.value.kind is FailureKind.PROTOCOL
    assert "malformed response (ParseError)" in str(failed.value)
    assert slept == []


def test_no_call_starts_after_the_deadline() -> None:
    """Past the collection's deadline the call is not made, and says so."""
    api_caller, _ = caller(deadline_in=-1)
    answers = Answers([])
    with pytest.raises(CallFailed) as failed:
        call(api_caller, answers)
    assert failed.value.kind is FailureKind.TIMEOUT
    assert answers.timeouts == []


@dataclass
class Page:
    """A list response."""

    items: list[str]
    next_page_token: str


def test_pages_are_followed_to_the_end_each_retried_alone() -> None:
    """Three pages, the second failing once: every item, four calls, page 1 read once."""
    api_caller, _ = caller()
    book = {"": Page(["a"], "t2"), "t2": Page(["b"], "t3"), "t3": Page(["c"], "")}
    asked: list[str] = []
    failed_once: set[str] = set()

    def fetch(token: str, timeout: float) -> Page:
        asked.append(token)
        if token == "t2" and token not in failed_once:
            failed_once.add(token)
            raise api_errors.ServiceUnavailable("blip")
        return book[token]

    pages = api_caller.pages(Api.IAM, Method.LIST_SERVICE_ACCOUNTS, "projects/p1", fetch)
    assert [item for page in pages for item in page.items] == ["a", "b", "c"]
    assert asked == ["", "t2", "t2", "t3"]


def test_a_page_token_that_repeats_is_malformed_not_endless() -> None:
    """A listing that hands back a token it gave before stops with a protocol failure."""
    api_caller, _ = caller()
    with pytest.raises(CallFailed, match="page token it gave before"):
        list(
            api_caller.pages(
                Api.IAM, Method.LIST_ROLES, "projects/p1", lambda token, _: Page([], "again")
            )
        )
