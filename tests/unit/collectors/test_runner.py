"""The collection runner: no failure escapes, secrets never leak, silence is never health."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import ClassVar

from structlog.testing import capture_logs

from auditor.collectors.base import Collection, CollectorContext, SourceError, SourceSettings
from auditor.collectors.runner import SOURCE_KIND, close_collector, run_collection
from auditor.model import Resource
from auditor.state import HistoryStore

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


class _Scripted:
    """A stand-in source whose collect() does what the test says (the runner's contract only)."""

    settings_model: ClassVar[type[SourceSettings]] = SourceSettings

    def __init__(self, behaviour: object) -> None:
        self.behaviour = behaviour
        self.release = threading.Event()

    def collect(self, context: CollectorContext) -> Collection:
        if isinstance(self.behaviour, BaseException):
            raise self.behaviour
        if self.behaviour == "hang":
            self.release.wait(5)
        return Collection(
            resources=[Resource(kind="mysql.server", id="db-1", source="db", scope="db", data={})]
        )

    def close(self) -> None:
        self.release.set()


def _context() -> CollectorContext:
    return CollectorContext(now=lambda: NOW, history=HistoryStore())


def _source(result_resources: list[Resource]) -> dict[str, object]:
    [source] = [r for r in result_resources if r.kind == SOURCE_KIND]
    return source.data


def test_success_reports_up_and_counts_resources() -> None:
    """A good collection is up, stamped with its time, and adds an up auditor.source."""
    result = run_collection("db", "mysql", _Scripted("ok"), _context(), timeout_seconds=5)
    assert result.health.up
    assert result.health.last_success == NOW
    assert result.health.resources == 1
    assert _source(result.resources)["up"] is True


def test_source_error_is_reported_with_its_kind() -> None:
    """A SourceError becomes a down source with its kind and message."""
    failing = _Scripted(SourceError("auth", "access denied for user auditor"))
    result = run_collection("db", "mysql", failing, _context(), timeout_seconds=5)
    assert not result.health.up
    assert result.error_kind == "auth"
    data = _source(result.resources)
    assert data["up"] is False
    assert data["error"] == "access denied for user auditor"


def test_unexpected_exception_reports_only_its_class() -> None:
    """An arbitrary exception's text may hold a DSN or password: only its class is kept."""
    leaky = _Scripted(RuntimeError("mysql://auditor:hunter2@10.0.0.5/prod refused"))
    result = run_collection("db", "mysql", leaky, _context(), timeout_seconds=5)
    assert result.error_kind == "internal"
    assert "hunter2" not in result.health.error
    assert result.health.error == "collector failed with RuntimeError"


def test_overrun_is_a_timeout_not_a_hang() -> None:
    """A collection past its deadline is abandoned and reported as a timeout."""
    hanging = _Scripted("hang")
    result = run_collection("db", "mysql", hanging, _context(), timeout_seconds=0.2)
    hanging.close()
    assert result.error_kind == "timeout"
    assert result.health.error == "no answer within 0.2 s"
    assert [r.kind for r in result.resources] == [SOURCE_KIND]


def test_down_source_keeps_its_last_success() -> None:
    """The last good collection's time survives a failure, so a finding can say how long."""
    earlier = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)
    failing = _Scripted(SourceError("unreachable", "no route"))
    result = run_collection(
        "db", "mysql", failing, _context(), timeout_seconds=5, last_success=earlier
    )
    assert result.health.last_success == earlier
    assert _source(result.resources)["last_success"] == earlier.isoformat()


class _BrokenClose(_Scripted):
    """Closes by raising, as a driver can when its connection already died."""

    def close(self) -> None:
        raise ConnectionResetError("mysql://auditor:hunter2@10.0.0.5 reset")


def test_failing_close_is_logged_by_class_and_never_raised() -> None:
    """A collector that fails to close does not take the scan or the daemon down, nor leak text."""
    with capture_logs() as logs:
        close_collector(_BrokenClose("ok"), "db")
    assert logs == [
        {
            "event": "collector close failed",
            "source": "db",
            "error_class": "ConnectionResetError",
            "log_level": "warning",
        }
    ]
