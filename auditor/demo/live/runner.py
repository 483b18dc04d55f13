"""`auditor demo`: start the live estate, run the daemon over it, say what to open and what it
found, and stop everything it started — on Ctrl-C, SIGTERM, after N cycles, or on failure."""

from __future__ import annotations

import json
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

import yaml

from auditor.demo.live.daemon_process import DaemonProcess
from auditor.demo.live.estate import (
    COMPONENTS,
    DEMO_PARAMS,
    Context,
    Started,
    Unavailable,
    static_estate,
)
from auditor.demo.live.processes import ServiceError, free_port
from auditor.demo.live.summary import render_summary
from auditor.paths import demo_dir

EXIT_OK, EXIT_BROKEN = 0, 1


@dataclass(frozen=True)
class DemoOptions:
    """How to run: bounded (`cycles`) or until interrupted (None), and what to leave out."""

    cycles: int | None
    interval_seconds: float = 10.0
    skip: frozenset[str] = frozenset()
    workdir: Path | None = None
    record: Path | None = None  # JSON of what was started and found, written as it goes


@dataclass
class Record:
    """What the demo started, skipped and found; written to `DemoOptions.record`."""

    components: list[dict[str, Any]] = field(default_factory=list)
    daemon: dict[str, Any] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    metrics_served: bool = False
    cycles: int = 0

    def write(self, path: Path | None) -> None:
        """Write it as JSON, if asked to."""
        if path is not None:
            path.write_text(json.dumps(self.__dict__, indent=1, default=str))


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM: stop everything and exit 0 (a BaseException, like
    KeyboardInterrupt, so no `except Exception` on the way swallows it)."""


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signal.Signals(signum).name)


@contextmanager
def _signals_interrupt() -> Iterator[None]:
    previous = {s: signal.signal(s, _raise_interrupted) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _ignore_signals() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)


def run_demo(options: DemoOptions, out: TextIO) -> int:
    """Run the live demo; 0 when it ran (whatever it had to skip), 1 when it is broken."""
    record = Record()

    def say(line: str) -> None:
        print(line, file=out, flush=True)

    root = options.workdir or Path(tempfile.mkdtemp(prefix="auditor-demo-"))
    root.mkdir(parents=True, exist_ok=True)
    code = EXIT_OK
    try:
        with _signals_interrupt():
            stack = ExitStack()
            try:
                code = _run(options, root, stack, say, record, out)
            except Interrupted as why:
                say(f"\n{why}: stopping everything the demo started …")
            except ServiceError as exc:
                say(f"demo broken: {exc}")
                code = EXIT_BROKEN
            finally:
                _ignore_signals()  # a second Ctrl-C must not cut the clean-up short
                stack.close()
        say("stopped: every process the demo started has exited")
    finally:
        record.write(options.record)
        if options.workdir is None:
            shutil.rmtree(root, ignore_errors=True)
    return code


def _run(
    options: DemoOptions,
    root: Path,
    stack: ExitStack,
    say: Callable[[str], None],
    record: Record,
    out: TextIO,
) -> int:
    secrets = root / "secrets"
    secrets.mkdir(mode=0o700, exist_ok=True)
    sources: list[dict[str, Any]] = []
    live: list[str] = []
    headline: list[str] = []
    say("Starting the live estate on 127.0.0.1 (what cannot start here is skipped):")
    for component in COMPONENTS:
        entry: dict[str, Any] = {"key": component.key, "title": component.title}
        record.components.append(entry)
        if component.key in options.skip:
            entry.update(status="skipped", reason="--skip")
            say(f"  skipped {component.title}: --skip {component.key}")
            continue
        workdir = root / component.key
        workdir.mkdir(exist_ok=True)
        context = Context(workdir, secrets, options.interval_seconds, lambda s: say(f"  … {s}"))
        try:
            started: Started = component.start(stack, context)
        except Unavailable as exc:
            entry.update(status="skipped", reason=str(exc))
            say(f"  skipped {component.title}: {exc}")
            continue
        except Exception as exc:  # noqa: BLE001 - one component's failure must not stop the rest
            reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
            entry.update(status="skipped", reason=f"could not start: {reason}")
            say(f"  skipped {component.title}: could not start: {reason} (logs: {workdir})")
            continue
        entry.update(status="started", pids=started.pids, ports=started.ports)
        record.write(options.record)  # as it goes: whoever watches can clean up after a crash
        sources.append(started.source)
        live.append(str(started.source["name"]))
        headline += started.headline
        say(f"  started {started.description}")
    estate = static_estate(options.interval_seconds)
    sources.append(estate)
    say(f"  plus the bundled manifests and IAM policies ({demo_dir() / 'estate'}: k8s, gcp)")

    daemon = _start_daemon(root, sources, stack)
    record.daemon = {"pid": daemon.pid, "port": daemon.port, "url": daemon.url}
    record.write(options.record)
    say("")
    say(f"auditor run (pid {daemon.pid}) is collecting every {options.interval_seconds:g} s. Open:")
    for path, what in (
        ("/metrics", "Prometheus metrics"),
        ("/findings", f"findings as JSON (?severity=high&source={(live or ['estate'])[0]})"),
        ("/healthz", "alive"),
        ("/readyz", "first cycle done"),
    ):
        say(f"  {daemon.url}{path:<10} {what}")
    say("")
    say("waiting for the first cycle of every source …")
    daemon.wait_ready()
    cycles = options.cycles
    if cycles is not None and cycles > 1:
        say(f"waiting for {cycles - 1} more cycle(s) of {', '.join(live) or 'the sources'} …")
        daemon.wait_cycles(set(live), cycles - 1)
    record.cycles = cycles or 1
    record.metrics_served = "auditor_source_up" in daemon.get("/metrics").text
    record.findings = daemon.findings()
    say(f"What the daemon found (GET {daemon.url}/findings, {len(record.findings)} tracked):")
    sources_shown = [*live, str(estate["name"])]
    render_summary(record.findings, sources_shown, headline, out, color=out.isatty())
    say("")
    if cycles is not None:
        say(f"done after {cycles} cycle(s); stopping everything the demo started …")
        return EXIT_OK
    say("running until Ctrl-C; findings that open or resolve are printed as the daemon sees them")
    _follow(daemon, set(live) or {str(estate["name"])}, record.findings, say)
    return EXIT_OK  # unreachable: _follow returns only by Interrupted or ServiceError


def _follow(
    daemon: DaemonProcess,
    sources: set[str],
    findings: list[dict[str, Any]],
    say: Callable[[str], None],
) -> None:
    """After every cycle of `sources`, one line per finding that opened or resolved."""
    known = _open_by_fingerprint(findings)
    while True:
        daemon.wait_cycles(sources, 1)
        current = _open_by_fingerprint(daemon.findings())
        for fingerprint in current.keys() - known.keys():
            say(f"  opened:   {_one_line(current[fingerprint])}")
        for fingerprint in known.keys() - current.keys():
            say(f"  resolved: {_one_line(known[fingerprint])}")
        known = current


def _open_by_fingerprint(findings: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(f["fingerprint"]): f for f in findings if f.get("status") == "open"}


def _one_line(finding: dict[str, Any]) -> str:
    resource = finding.get("resource") or {}
    return (
        f"{finding.get('severity')} {finding.get('rule_id')} "
        f"{resource.get('id', '')} ({finding.get('source')})"
    )


def _start_daemon(root: Path, sources: list[dict[str, Any]], stack: ExitStack) -> DaemonProcess:
    """Write auditor.yaml (the bundled demo config + the live sources) and start `auditor run`."""
    config = yaml.safe_load((demo_dir() / "auditor.yaml").read_text())
    config.setdefault("rules", {}).setdefault("params", {}).update(DEMO_PARAMS)
    port = free_port()
    config.update(
        state={"path": str(root / "state.db")},
        logging={"level": "warning", "format": "json"},
        daemon={"listen_address": "127.0.0.1", "port": port, "jitter_seconds": 0},
        sources=sources,
    )
    path = root / "auditor.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    daemon = DaemonProcess(path, port, root / "auditor-run.log").start()
    stack.callback(daemon.stop)  # entered last: stopped first, before the services it reads
    return daemon
