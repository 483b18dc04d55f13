"""Shared fixtures: writing rule files and running the CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

VALID_RULE = """\
id: {id}
title: Workloads run at least two replicas
severity: medium
category: ha
resource: k8s.workload
description: A single replica is down during every node drain.
when: resource.replicas < params.min_replicas
message: "{{{{resource.name}}}} runs {{{{resource.replicas}}}} replica(s); needs {{{{params.min_replicas}}}}"
evidence:
  replicas: resource.replicas
remediation: Raise replicas.
references:
  - title: CIS GKE Benchmark
    benchmark: CIS GKE Benchmark
    version: "1.5.0"
    item: "5.2.1"
    url: https://www.cisecurity.org/benchmark/kubernetes
params:
  min_replicas:
    default: 2
    description: Fewest replicas.
cases:
  pass:
    - name: two replicas
      resource: {{name: api, replicas: 2}}
  fail:
    - name: one replica
      resource: {{name: api, replicas: 1}}
"""


@pytest.fixture
def write_rule(tmp_path: Path) -> Callable[..., Path]:
    """Write a rule file (the valid example unless `text` is given) and return its path."""

    def write(rule_id: str = "test-min-replicas", text: str | None = None) -> Path:
        directory = tmp_path / "rules"
        directory.mkdir(exist_ok=True)
        path = directory / f"{rule_id}.yaml"
        body = VALID_RULE.format(id=rule_id) if text is None else textwrap.dedent(text)
        path.write_text(body, encoding="utf-8")
        return path

    return write


@dataclass
class Run:
    """A finished CLI run."""

    code: int
    stdout: str
    stderr: str


@pytest.fixture
def auditor_cli(tmp_path: Path) -> Callable[..., Run]:
    """Run `python -m auditor ARGS` in a subprocess, from a scratch directory."""

    def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITOR_")}
        full_env.update(env or {})
        done = subprocess.run(
            [sys.executable, "-m", "auditor", *args],
            capture_output=True,
            text=True,
            cwd=cwd or tmp_path,
            env=full_env,
            timeout=120,
            check=False,
        )
        return Run(done.returncode, done.stdout, done.stderr)

    return run
