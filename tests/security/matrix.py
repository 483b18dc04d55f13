"""The invocations the suite reads, run side by side over one estate: `auditor run --once`,
`auditor scan --config` in every report format, `auditor collect` (a snapshot), the daemon for one cycle (Alertmanager down),
and a daemon showing principals in clear."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from auditor.demo.live.processes import free_port
from tests.security.estate import SLACK_SCRIPT, Estate
from tests.security.runs import REPORT_FORMATS, Said, finish, read_daemon, start, state_store
from tests.security.sources import config, environment

ONCE = "auditor run --once"
DAEMON = "auditor run (daemon)"
CLEAR_DAEMON = "auditor run (daemon, hash_principals: false)"
DAEMON_PATHS = ("/metrics", "/findings", "/healthz", "/readyz")
PROCESS_TIMEOUT_SECONDS = 300.0  # a loaded 2-core machine; a healthy run takes a fraction


@dataclass
class Runs:
    """Every invocation's output by channel, and what the receivers recorded."""

    said: list[Said]
    slack_paths: list[str]

    def channels(self) -> Iterator[tuple[str, bytes]]:
        """(where, data) for every channel of every invocation."""
        for said in self.said:
            yield from said.channels.items()

    def by_name(self, name: str) -> Said:
        """One invocation's output."""
        return next(s for s in self.said if s.name == name)


def _once(estate: Estate, env: dict[str, str]) -> Said:
    said, workdir = Said(ONCE), estate.root / "once"
    cfg = config(estate, "once")
    process = start(["run", "--once", "--config", str(cfg), "--log-level", "debug"], env, workdir)
    finish(process, said, workdir, PROCESS_TIMEOUT_SECONDS)
    state_store(said, workdir / "state.db")
    return said


def _scan(estate: Estate, env: dict[str, str], fmt: str) -> Said:
    said, workdir = Said(f"auditor scan --format {fmt}"), estate.root / f"scan-{fmt}"
    cfg = config(estate, f"scan-{fmt}")
    args = ["scan", "--config", str(cfg), "--all-sources", "--log-level", "debug",
            "--format", fmt, "--fail-on", "none"]  # fmt: skip
    if fmt != "table":
        args += ["--output", str(workdir / f"report.{fmt}")]
    process = start(args, env, workdir)
    finish(process, said, workdir, PROCESS_TIMEOUT_SECONDS)
    if fmt != "table":
        said.add(f"{fmt} report", (workdir / f"report.{fmt}").read_bytes())
    return said


def _collect(estate: Estate, env: dict[str, str]) -> Said:
    said, workdir = Said("auditor collect"), estate.root / "collect"
    cfg = config(estate, "collect")
    snapshot = workdir / "snapshot.json"
    args = ["collect", "--config", str(cfg), "--all-sources", "--log-level", "debug",
            "--output", str(snapshot)]  # fmt: skip
    process = start(args, env, workdir)
    finish(process, said, workdir, PROCESS_TIMEOUT_SECONDS)
    said.add("snapshot", snapshot.read_bytes())
    return said


def _daemon(estate: Estate, env: dict[str, str], name: str, **options: object) -> Said:
    said, workdir, port = (
        Said(name),
        estate.root / re.sub(r"[^a-z0-9]+", "-", name).strip("-"),
        free_port(),
    )
    cfg = config(estate, workdir.name, port=port, **options)  # type: ignore[arg-type]
    process = start(["run", "--config", str(cfg), "--log-level", "debug"], env, workdir)
    read_daemon(process, port, workdir, said, DAEMON_PATHS, PROCESS_TIMEOUT_SECONDS)
    state_store(said, workdir / "state.db")
    return said


def run_all(estate: Estate) -> Runs:
    """Start every invocation at once (the services take concurrent clients) and collect."""
    env = environment(estate)
    estate.slack.script[:] = list(SLACK_SCRIPT)
    down = f"http://127.0.0.1:{estate.closed_port}"  # Alertmanager down for the daemon
    jobs: list[Callable[[], Said]] = [
        lambda: _once(estate, env),
        lambda: _collect(estate, env),
        lambda: _daemon(estate, env, DAEMON, alertmanager=down),
        lambda: _daemon(estate, env, CLEAR_DAEMON, hash_principals=False, only=("gcp-ok",)),
    ]
    jobs += [partial(_scan, estate, env, fmt) for fmt in (*REPORT_FORMATS, "table")]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        said = list(pool.map(lambda job: job(), jobs))
    return Runs(said=said, slack_paths=[path for _, path, _, _ in estate.slack.requests])
