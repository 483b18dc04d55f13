"""Reading only the newest points of each series, and how points are stored."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from auditor.state import HistoryStore

T0 = datetime(2026, 11, 26, tzinfo=UTC)


def _store(path: Path | None = None) -> HistoryStore:
    """Series of 1, 3 and 6 points under kafka/commit/, one under kafka/end/, one elsewhere."""
    store = HistoryStore(path, keep=64)
    for i in range(6):
        at = T0 + timedelta(minutes=i)
        points = [("commit/long", at, {"o": [i]})]
        if i >= 3:
            points.append(("commit/mid", at, {"o": [10 + i]}))
        if i == 5:
            points.append(("commit/one", at, {"o": [99]}))
        points.append(("end/t", at, {"o": [i]}))
        store.append("kafka", points)
    store.append("other", [("commit/long", T0, {"o": [-1]})])
    return store


def test_newest_returns_the_newest_points_of_each_series_oldest_first() -> None:
    """newest=N cuts each series to its last N points; shorter series come whole."""
    windows = _store().windows("kafka", "commit/", newest=2)
    assert {series: [v["o"][0] for _, v in points] for series, points in windows.items()} == {
        "commit/long": [4, 5],
        "commit/mid": [14, 15],
        "commit/one": [99],
    }
    assert [at for at, _ in windows["commit/long"]] == [
        T0 + timedelta(minutes=4),
        T0 + timedelta(minutes=5),
    ]


def test_newest_equals_the_tail_of_the_full_read(tmp_path: Path) -> None:
    """For every N the newest read is the tail of what the full read returns (on a file)."""
    store = _store(tmp_path / "state.db")
    full = store.windows("kafka")
    for newest in (1, 3, 5, 6, 64):
        assert store.windows("kafka", newest=newest) == {
            series: points[-newest:] for series, points in full.items()
        }
    assert store.windows("kafka", newest=0) == {}


def test_newest_keeps_to_the_source_and_prefix() -> None:
    """Another source's series and series outside the prefix are not returned."""
    store = _store()
    assert set(store.windows("kafka", "commit/", newest=1)) == {
        "commit/long",
        "commit/mid",
        "commit/one",
    }
    assert store.windows("other", newest=3) == {"commit/long": [(T0, {"o": [-1]})]}


def test_raw_windows_give_posix_times() -> None:
    """raw_windows returns the same points with float times, for bulk readers."""
    store = _store()
    raw = store.raw_windows("kafka", "end/", newest=2)
    assert raw == {
        "end/t": [
            ((T0 + timedelta(minutes=4)).timestamp(), {"o": [4]}),
            ((T0 + timedelta(minutes=5)).timestamp(), {"o": [5]}),
        ]
    }


def test_points_are_stored_as_compact_json_and_spaced_ones_still_read(tmp_path: Path) -> None:
    """New points have no spaces; points written with spaces by older versions read the same."""
    path = tmp_path / "state.db"
    store = HistoryStore(path)
    store.append("kafka", [("end/t", T0, {"o": [1, 2]})])
    db = sqlite3.connect(path, isolation_level=None)
    assert db.execute("SELECT value FROM history").fetchone() == ('{"o":[1,2]}',)
    later = (T0 + timedelta(minutes=1)).timestamp()
    db.execute("INSERT INTO history VALUES ('kafka', 'end/t', ?, '{\"o\": [3, 4]}')", (later,))
    db.close()
    assert [v for _, v in store.windows("kafka", newest=5)["end/t"]] == [
        {"o": [1, 2]},
        {"o": [3, 4]},
    ]


def test_trim_keeps_the_newest_points_of_each_series_written() -> None:
    """Appending trims every series it wrote to `keep`, and no other."""
    store = HistoryStore(keep=2)
    store.append("kafka", [("a", T0 + timedelta(minutes=i), {"i": i}) for i in range(4)])
    store.append("kafka", [("b", T0 + timedelta(minutes=i), {"i": i}) for i in range(3)])
    windows = store.windows("kafka")
    assert [v["i"] for _, v in windows["a"]] == [2, 3]
    assert [v["i"] for _, v in windows["b"]] == [1, 2]
