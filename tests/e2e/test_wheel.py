"""A wheel built from the repository works on its own: bundled rules, exporters, demo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only the built wheel (and its dependencies) installed."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work), str(REPO)],
        check=True,
        timeout=300,
    )
    [wheel] = work.glob("*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        timeout=600,
    )
    return venv / "bin"


def _run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bin_dir / "auditor"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,  # away from the checkout, so nothing can come from the source tree
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_wheel_finds_its_bundled_rules(installed: Path, tmp_path: Path) -> None:
    """`auditor rules list` from a wheel install lists the same rules as the checkout."""
    done = _run(installed, "rules", "list", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    listed = {rule["id"] for rule in json.loads(done.stdout)}
    in_checkout = {p.stem for p in (REPO / "rules").rglob("*.yaml")}
    assert listed == in_checkout
    assert len(listed) >= 12


@pytest.mark.slow
def test_wheel_runs_the_demo_with_every_exporter(installed: Path, tmp_path: Path) -> None:
    """The demo estate and every report format ship in the wheel."""
    for fmt in ("table", "json", "sarif", "junit"):
        done = _run(installed, "scan", "--demo", "--format", fmt, "--fail-on", "none", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip(), f"{fmt} report is empty"
    report = json.loads(
        _run(
            installed, "scan", "--demo", "--format", "json", "--fail-on", "none", cwd=tmp_path
        ).stdout
    )
    assert report["findings"], "the demo shows findings"
