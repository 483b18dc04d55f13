"""atheris target: Kubernetes manifests (auditor.loaders.manifests and the k8s normaliser).

A crash is any exception but InputError, or an InputError that does not name the file or names
a line outside it. Run: python tests/fuzz/atheris_targets/manifests.py -max_total_time=600 [DIR]
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import REPO, line_count, run, scratch_dir

with atheris.instrument_imports(include=["auditor"]):
    from auditor.errors import InputError
    from auditor.loaders.manifests import load_manifests

FILE = scratch_dir() / "manifest.yaml"


def seeds() -> Iterator[tuple[str, bytes]]:
    """The demo estate's and the test fixtures' manifests."""
    folders = [REPO / "auditor/demo/estate/k8s", REPO / "tests/fixtures/k8s"]
    for folder in folders:
        for path in sorted(folder.rglob("*.yaml")):
            if "templates" not in path.parts:
                yield f"{folder.name}-{path.name}", path.read_bytes()


def test_one_input(data: bytes) -> None:
    """Load `data` as a manifest file; only a located InputError may come out."""
    FILE.write_bytes(data)
    try:
        load_manifests([FILE], cluster="fuzz")
    except InputError as exc:
        if exc.path != str(FILE):
            raise AssertionError(f"error names another file: {exc}") from exc
        if exc.line is not None and not 1 <= exc.line <= line_count(data) + 1:
            raise AssertionError(f"error line outside the file: {exc}") from exc
        if "\n" in str(exc):
            raise AssertionError(f"error is not one line: {exc!r}") from exc


if __name__ == "__main__":
    run(sys.argv, test_one_input, seeds)
