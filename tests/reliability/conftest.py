"""Recording each cell's observed outcome, and writing docs/reliability.md at the end of the
session when AUDITOR_WRITE_RELIABILITY=1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.reliability.matrix import BY_KEY, DOC, WRITE_ENV, render
from tests.unit.exporters.webhook_receiver import Receiver, webhook_receiver

OBSERVED: dict[str, str] = {}
_report_key = pytest.StashKey[dict[str, pytest.TestReport]]()


class Observation:
    """Where a test writes what it saw for its cell."""

    def __init__(self, key: str) -> None:
        assert key in BY_KEY, f"{key} is not a cell of the matrix"
        self.key = key
        self.text = ""

    def __call__(self, text: str) -> None:
        self.text = text


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    """Keep each phase's report on the item, so a fixture can tell whether its test passed."""
    report = yield
    item.stash.setdefault(_report_key, {})[report.when] = report
    return report


@pytest.fixture
def observe(request: pytest.FixtureRequest) -> Iterator[Observation]:
    """Record the outcome of the cell named by the test's `cell` parameter."""
    observation = Observation(request.node.callspec.params["cell"])
    yield observation
    reports = request.node.stash.get(_report_key, {})
    call = reports.get("call")
    if call is not None and call.passed:
        OBSERVED[observation.key] = observation.text or "pass"
    else:
        crash = getattr(call.longrepr, "reprcrash", None) if call is not None else None
        reason = str(getattr(crash, "message", "")).splitlines()[0] if crash else "error"
        OBSERVED[observation.key] = f"FAIL — {reason[:200]}"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    """The module's Slack webhook receiver: it counts every message it is sent."""
    with webhook_receiver() as running:
        yield running


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the table when asked to (a partial run marks the other cells 'not run')."""
    if os.environ.get(WRITE_ENV) == "1" and OBSERVED:
        DOC.write_text(render(OBSERVED), encoding="utf-8")
