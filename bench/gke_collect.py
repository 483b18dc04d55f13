"""Collecting a large cluster: auditor's `gke` collector vs `kubectl get pods,deployments -A -o json
--chunk-size=500`, against the same fake API server, several alternating runs, medians.

    .venv/bin/python bench/gke_collect.py [--runs 3] [--pods 20000] [--deployments 5000]

The server (tests/fakes/k8s, kmock + shim) runs in its own process and serves the objects
bench/gke_objects.py generates: Namespaces, Deployments, and Pods owned by their ReplicaSets,
shaped as a real API server returns them. Each tool runs as its own process under
bench/measure.py (wall time; peak memory from GNU time and a /proc sampler). The collector
process also reports its own split: imports, and the collect() call itself.

kubectl is not installed in CI: without it on PATH the script says so and measures the
collector alone. With --bare, a second cluster where no Pod has an owner (each is a workload)
is measured too. Figures go to docs/benchmarks-gke.md (with --write).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
OUT = REPO / "bench" / "out" / "gke"
DOC = REPO / "docs" / "benchmarks-gke.md"
TARGET_RATIO = 1.5


def collect_once(kubeconfig: Path, report: Path) -> None:
    """Child mode: one collection of the cluster; timings and counts to `report`."""
    from kubernetes import client

    from auditor.collectors.base import CollectorContext
    from auditor.collectors.gke import GkeSettings, create_collector
    from auditor.collectors.gke.kinds import LISTED_KINDS
    from auditor.state import HistoryStore

    # The client's API classes load lazily on first use; count them with the imports.
    for kind in LISTED_KINDS:
        getattr(client, kind.api)
    client.VersionApi  # noqa: B018
    imported = time.perf_counter()
    settings = GkeSettings.model_validate(
        {"name": "bench", "type": "gke", "kubeconfig": str(kubeconfig), "timeout_seconds": 900}
    )
    now = datetime.now(UTC)
    collection = create_collector(settings).collect(
        CollectorContext(now=lambda: now, history=HistoryStore())
    )
    done = time.perf_counter()
    kinds: dict[str, int] = {}
    for item in collection.resources:
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    report.write_text(
        json.dumps(
            {
                "import_seconds": round(imported - STARTED, 3),
                "collect_seconds": round(done - imported, 3),
                "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "resources": kinds,
                "problems": collection.problems,
            }
        ),
        encoding="utf-8",
    )


def _objects(pods: int, deployments: int, owned: bool) -> Path:
    suffix = "" if owned else "-bare"
    path = OUT / f"objects-{pods}p-{deployments}d{suffix}.jsonl"
    if not path.exists():
        print(f"generating {pods} pods and {deployments} deployments → {path}", flush=True)
        command = [sys.executable, str(REPO / "bench" / "gke_objects.py"), str(path)]
        command += ["--pods", str(pods), "--deployments", str(deployments)]
        subprocess.run([*command, *([] if owned else ["--bare-pods"])], check=True)
    return path


class FakeServer:
    """The fake API server in its own process, stopped by its PID."""

    def __init__(self, objects: Path, work: Path) -> None:
        self.url_file = work / "url"
        self.log = (work / "server.log").open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.fakes.k8s.serve",
                "--objects",
                str(objects),
                "--url-file",
                str(self.url_file),
            ],
            cwd=REPO,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 300) -> str:
        """The URL, once the server has loaded its objects and listens."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the fake API server exited ({self.process.returncode})")
            if self.url_file.exists() and self.url_file.read_text(encoding="utf-8"):
                return self.url_file.read_text(encoding="utf-8").strip()
            time.sleep(0.2)
        raise SystemExit("the fake API server did not start")

    def stop(self) -> None:
        """Terminate the server process (ours, by PID) and wait for it."""
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def _kubeconfig(url: str, path: Path) -> Path:
    path.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "bench", "cluster": {"server": url}}],
                "users": [{"name": "bench", "user": {}}],
                "contexts": [{"name": "bench", "context": {"cluster": "bench", "user": "bench"}}],
                "current-context": "bench",
            }
        ),
        encoding="utf-8",
    )
    return path


def _run_collector(kubeconfig: Path, work: Path, run: int) -> dict[str, Any]:
    from measure import measure

    report = work / f"collector-{run}.json"
    with (work / f"collector-{run}.log").open("wb") as log:
        measured = measure(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--collect",
                str(kubeconfig),
                "--report",
                str(report),
            ],
            cwd=REPO,
            stdout=log,
            stderr=log,
            time_file=work / f"collector-{run}.time",
        )
    if measured.exit_code != 0:
        raise SystemExit(f"collector run {run} failed: see {work}/collector-{run}.log")
    return {**measured.as_dict(), **json.loads(report.read_text(encoding="utf-8"))}


def _kubectl_command(kubectl: str, kubeconfig: Path, cache: Path) -> list[str]:
    return [
        kubectl,
        "--kubeconfig",
        str(kubeconfig),
        "--cache-dir",
        str(cache),
        "get",
        "pods,deployments",
        "-A",
        "-o",
        "json",
        "--chunk-size=500",
    ]


def _run_kubectl(command: list[str], work: Path, run: int) -> dict[str, Any]:
    from measure import measure

    with (work / f"kubectl-{run}.err").open("wb") as err:
        measured = measure(
            command,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=err,
            time_file=work / f"kubectl-{run}.time",
        )
    if measured.exit_code != 0:
        raise SystemExit(f"kubectl run {run} failed: see {work}/kubectl-{run}.err")
    return measured.as_dict()


def _check_kubectl_output(command: list[str], expected: int, work: Path) -> None:
    """Once: kubectl really returns every pod and deployment (its output is not timed)."""
    output = work / "kubectl-output.json"
    with output.open("wb") as out:
        subprocess.run(command, stdout=out, check=True)
    items = len(json.loads(output.read_text(encoding="utf-8"))["items"])
    output.unlink()
    if items != expected:
        raise SystemExit(f"kubectl listed {items} objects, expected {expected}")


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(float(r[key]) for r in runs)


def _range(runs: list[dict[str, Any]], key: str, scale: float = 1.0, digits: int = 1) -> str:
    values = [float(r[key]) / scale for r in runs]
    return f"{min(values):.{digits}f}–{max(values):.{digits}f}"


def _kubectl_version(kubectl: str) -> str:
    done = subprocess.run(
        [kubectl, "version", "--client", "-o", "json"], capture_output=True, text=True, check=False
    )
    try:
        return str(json.loads(done.stdout)["clientVersion"]["gitVersion"])
    except (ValueError, KeyError):
        return "unknown"


@dataclass(slots=True)
class Scenario:
    """One served cluster and the runs measured against it."""

    title: str
    owned: bool
    workloads: int
    ours: list[dict[str, Any]] = field(default_factory=list)
    theirs: list[dict[str, Any]] = field(default_factory=list)


def _table(scenario: Scenario, kubectl_version: str | None) -> list[str]:
    from auditor.collectors.gke.kinds import LISTED_KINDS

    mib = 1024.0
    ours, theirs = scenario.ours, scenario.theirs
    wall, peak = _median(ours, "wall_seconds"), _median(ours, "peak_memory_kib") / mib
    collect, imports = _median(ours, "collect_seconds"), _median(ours, "import_seconds")
    lines = [
        f"## {scenario.title}",
        "",
        "| | wall time | peak memory |",
        "| --- | --- | --- |",
        f"| auditor `gke` collector, whole process: lists the {len(LISTED_KINDS)} kinds it reads "
        "(500 per page, 4 at a time), normalises and enriches "
        f"{scenario.workloads:,} workloads | {wall:.1f} s ({_range(ours, 'wall_seconds')}) | "
        f"{peak:.0f} MiB ({_range(ours, 'peak_memory_kib', mib, 0)}) |",
        f"| … of which `collect()` (imports excluded: {imports:.1f} s) | {collect:.1f} s "
        f"({_range(ours, 'collect_seconds')}) | |",
    ]
    if not theirs:
        return [*lines, "", "kubectl was not on PATH: only the collector was measured.", ""]
    k_wall = _median(theirs, "wall_seconds")
    k_peak = _median(theirs, "peak_memory_kib") / mib
    ratio = wall / k_wall
    return [
        *lines,
        f"| `kubectl get pods,deployments -A -o json --chunk-size=500` ({kubectl_version}), "
        f"output to /dev/null | {k_wall:.1f} s ({_range(theirs, 'wall_seconds')}) | "
        f"{k_peak:.0f} MiB ({_range(theirs, 'peak_memory_kib', mib, 0)}) |",
        "",
        f"Collector / kubectl: wall time {ratio:.2f}× (target at most {TARGET_RATIO}×: "
        f"{'met' if ratio <= TARGET_RATIO else 'NOT met'}), peak memory {peak / k_peak:.2f}×.",
        "",
    ]


def _report(args: argparse.Namespace, scenarios: list[Scenario], kubectl: str | None) -> str:
    version = _kubectl_version(kubectl) if kubectl else None
    lines = [
        "# Benchmark: collecting a large cluster — `gke` collector vs kubectl",
        "",
        f"Generated by `bench/gke_collect.py --runs {args.runs}"
        f"{' --bare' if args.bare else ''} --write` on {datetime.now(UTC).date().isoformat()} "
        f"({platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}). "
        "The fake API server (tests/fakes/k8s: kmock + shim) runs in its own process and serves "
        f"{args.pods:,} Pods and {args.deployments:,} Deployments in 50 namespaces, shaped as a "
        "real API server returns them (status, managedFields, admission fields; ~4.9 KB of JSON "
        f"per Pod). {args.runs} alternating runs of each tool after a warm-up run of each; "
        "medians (range). Each run is a new process measured by bench/measure.py.",
        "",
    ]
    for scenario in scenarios:
        lines += _table(scenario, version)
    lines += [
        "How to read it:",
        "- Both read the same pages from the same server. kubectl decodes every object and "
        "prints all of them as one JSON document; the collector parses each page, drops the "
        "Pods a controller owns and the fields no rule reads (status, managedFields) as the "
        "page arrives, lists the other kinds it needs too (empty here), and builds the "
        "resources with their cross-object facts.",
        "- The collector's whole-process time includes starting Python and importing the "
        "`kubernetes` client (its generated API classes are large); in the daemon that is paid "
        "once. The target compares whole processes.",
        "- kubectl uses a warm discovery cache (`--cache-dir`, filled by its warm-up run).",
        "- The machine was shared with other work while measuring; the ranges show the noise.",
        "- Not a timing assertion in CI. Run it again with "
        "`.venv/bin/python bench/gke_collect.py --bare --write` (about 10 minutes).",
        "",
    ]
    return "\n".join(lines)


def _measure(scenario: Scenario, args: argparse.Namespace, kubectl: str | None) -> None:
    objects = _objects(args.pods, args.deployments, scenario.owned)
    with tempfile.TemporaryDirectory(dir=OUT) as scratch:
        work = Path(scratch)
        server = FakeServer(objects, work)
        try:
            config = _kubeconfig(server.wait_ready(), work / "kubeconfig")
            command = _kubectl_command(kubectl, config, work / "kube-cache") if kubectl else []
            print(f"{scenario.title}: warm-up runs", flush=True)
            warm = _run_collector(config, work, 0)
            if warm["problems"] or warm["resources"].get("k8s.workload") != scenario.workloads:
                raise SystemExit(f"the collector did not read the cluster: {warm}")
            if kubectl:
                _check_kubectl_output(command, args.pods + args.deployments, work)
            for run in range(1, args.runs + 1):
                scenario.ours.append(_run_collector(config, work, run))
                print(f"run {run}: collector {scenario.ours[-1]['wall_seconds']} s", flush=True)
                if kubectl:
                    scenario.theirs.append(_run_kubectl(command, work, run))
                    print(f"run {run}: kubectl {scenario.theirs[-1]['wall_seconds']} s", flush=True)
        finally:
            server.stop()


def main() -> None:
    """Run the comparison; print the report and (with --write) save it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pods", type=int, default=20000)
    parser.add_argument("--deployments", type=int, default=5000)
    parser.add_argument("--bare", action="store_true", help="also measure Pods without owners")
    parser.add_argument("--write", action="store_true", help=f"write {DOC.relative_to(REPO)}")
    parser.add_argument("--collect", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--report", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.collect is not None:
        collect_once(args.collect, args.report)
        return

    from measure import ensure_gnu_time

    ensure_gnu_time()
    OUT.mkdir(parents=True, exist_ok=True)
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        print("kubectl is not on PATH (CI does not install it): measuring the collector only")
    scenarios = [
        Scenario(
            "Pods owned by their Deployments' ReplicaSets (as in a real cluster)",
            owned=True,
            workloads=args.deployments,
        )
    ]
    if args.bare:
        scenarios.append(
            Scenario(
                "Worst case: every Pod bare (no owner), so each is a workload of its own",
                owned=False,
                workloads=args.deployments + args.pods,
            )
        )
    for scenario in scenarios:
        _measure(scenario, args, kubectl)
    results = {s.title: {"collector": s.ours, "kubectl": s.theirs} for s in scenarios}
    (OUT / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    text = _report(args, scenarios, kubectl)
    print(text)
    if args.write:
        DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
