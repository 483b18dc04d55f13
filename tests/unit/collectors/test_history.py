"""The history store keeps bounded, ordered windows that survive a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from auditor.state import HistoryStore

T0 = datetime(2026, 11, 26, tzinfo=UTC)


def test_windows_are_ordered_and_bounded() -> None:
    """Each series keeps its newest `keep` points, oldest first."""
    store = HistoryStore(keep=3)
    for i in range(5):
        store.append("kafka", [("g1/t/0", T0 + timedelta(seconds=i), {"offset": i})])
    [(series, points)] = store.windows("kafka").items()
    assert series == "g1/t/0"
    assert [value["offset"] for _, value in points] == [2, 3, 4]
    assert points[0][0] == T0 + timedelta(seconds=2)


def test_prefix_selects_series_and_sources_are_separate() -> None:
    """A prefix narrows the series; another source's series are invisible."""
    store = HistoryStore()
    store.append("kafka", [("g1/a/0", T0, {"v": 1}), ("g2/a/0", T0, {"v": 2})])
    store.append("other", [("g1/a/0", T0, {"v": 3})])
    assert set(store.windows("kafka", "g1/")) == {"g1/a/0"}
    assert store.windows("other")["g1/a/0"][0][1] == {"v": 3}


def test_history_survives_reopening(tmp_path: Path) -> None:
    """Points written before a restart are read after it."""
    path = tmp_path / "state" / "state.db"
    first = HistoryStore(path)
    first.append("kafka", [("g/t/0", T0, {"offset": 7})])
    first.close()
    second = HistoryStore(path)
    assert second.windows("kafka")["g/t/0"] == [(T0, {"offset": 7})]
