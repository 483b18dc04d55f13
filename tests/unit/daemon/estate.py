"""A small real-shaped estate for daemon tests: Kubernetes manifests read by a `files` source."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from auditor.config import AuditorConfig, load_config
from auditor.paths import demo_dir


def write_estate(root: Path) -> Path:
    """The demo's Kafka UI Deployment (several findings, one critical) in its own folder."""
    estate = root / "estate"
    estate.mkdir(parents=True, exist_ok=True)
    shutil.copy(demo_dir() / "estate" / "k8s" / "kafka-ui.yaml", estate / "kafka-ui.yaml")
    return estate


def daemon_config(root: Path, estate: Path, extra: str = "") -> AuditorConfig:
    """A config with one `files` source over `estate`, state under `root`, HTTP on a free port."""
    path = root / "auditor.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            state: {{path: {root / "state.db"}}}
            daemon: {{port: 0, jitter_seconds: 0}}
            sources:
              - {{name: gitops, type: files, paths: [{estate}], interval_seconds: 3600}}
            """
        )
        + extra,
        encoding="utf-8",
    )
    return load_config(path, environ={})
