"""The coverage-guided fuzzers, briefly: each atheris target runs ~10 s from the repository's
own files as seed corpus and must finish without a crash (docs/fuzzing.md has the long run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TARGETS = Path(__file__).resolve().parent / "atheris_targets"
CRASH_EXIT = 77  # atheris' exit status for an uncaught Python exception in the target


def _fuzz(target: str, work: Path, seconds: int) -> subprocess.CompletedProcess[str]:
    corpus = work / "corpus"
    corpus.mkdir(exist_ok=True)
    return subprocess.run(
        [
            sys.executable,
            str(TARGETS / target),
            f"-max_total_time={seconds}",
            "-timeout=5",
            f"-artifact_prefix={work}/",
            str(corpus),
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=False,
        cwd=work,
        env={**os.environ, "TMPDIR": str(work)},  # the target's scratch folder goes here too
    )


@pytest.mark.slow
@pytest.mark.parametrize("target", ["manifests.py", "rules.py"])
def test_target_fuzzes_without_a_crash(target: str, tmp_path: Path) -> None:
    """A short coverage-guided run executes inputs and leaves no crash artifact."""
    done = _fuzz(target, tmp_path, seconds=10)
    crashes = sorted(p.name for p in tmp_path.glob("crash-*"))
    assert done.returncode == 0 and not crashes, (crashes, done.stderr[-3000:])
    assert "Done " in done.stderr and "runs in" in done.stderr, done.stderr[-2000:]
    assert any((tmp_path / "corpus").iterdir()), "the seed corpus was not written"


def test_a_crashing_input_fails_the_run(tmp_path: Path) -> None:
    """The harness reports a target exception as a crash, so the test above can fail."""
    target = tmp_path / "crashing.py"
    target.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(TARGETS)!r})\n"
        "from _harness import run\n"
        "def one(data):\n"
        "    raise ValueError('boom')\n"
        "run(sys.argv, one, lambda: [('seed', b'x')])\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(target), "-runs=10", f"-artifact_prefix={tmp_path}/"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    assert done.returncode == CRASH_EXIT, done.stderr[-2000:]
    assert list(tmp_path.glob("crash-*"))
