"""Benchmark `auditor scan` against `checkov --framework kubernetes` on the same manifests.

Generates the workload set into bench/out/workloads, installs checkov into its own venv
(bench/out/.checkov-venv, so its pins never meet ours), then runs each tool several times,
interleaved, measuring wall time and the peak memory of its whole process tree (see
bench/measure.py). Every run's report is checked, so a tool that scanned nothing fails the
benchmark instead of winning it. Prints medians (min-max), the ratios against the targets,
and writes everything to bench/out/results.json (or --results PATH).

    .venv/bin/python bench/scan_vs_checkov.py            # 5,000 manifests, 5 runs each
    .venv/bin/python bench/scan_vs_checkov.py --quick    # 500 manifests, 2 runs each
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from generate_workloads import DEFAULT_SEED, generate
from measure import ensure_gnu_time, measure

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
WORKLOADS = OUT / "workloads"
CHECKOV_VENV = OUT / ".checkov-venv"
# The version the published figures were taken with; --checkov-spec overrides it.
CHECKOV_SPEC = "checkov==3.3.30"
# Targets from the foundation issue: auditor at most this fraction of checkov's cost.
WALL_TARGET = 1 / 10
MEMORY_TARGET = 1 / 3


@dataclass(slots=True)
class Tool:
    """One scanner under test: how to run it and how to tell it really scanned."""

    name: str
    command: list[str]
    report: Path
    verify: Callable[[Path, int], dict[str, Any]]
    ok_exit_codes: frozenset[int]
    report_on_stdout: bool  # checkov prints its report; auditor writes it with --output
    runs: list[dict[str, Any]] = field(default_factory=list)
    reused_from: str | None = None  # runs taken from an earlier results.json, not measured now

    def measurements(self, key: str) -> list[float]:
        """One figure from every run."""
        return [run[key] for run in self.runs]


def ensure_checkov(spec: str) -> tuple[Path, str]:
    """checkov's executable in its own venv (created on first use) and its version."""
    checkov = CHECKOV_VENV / "bin" / "checkov"
    if not checkov.is_file():
        print(f"installing {spec} into {CHECKOV_VENV.relative_to(ROOT)} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(CHECKOV_VENV)], check=True)
        pip = [str(CHECKOV_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, spec], check=True)
    version = subprocess.run(
        [str(checkov), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return checkov, version


def auditor_executable(given: Path | None) -> Path:
    """The auditor console script: --auditor, else the repository's .venv."""
    auditor = given or ROOT / ".venv" / "bin" / "auditor"
    if not auditor.is_file():
        raise SystemExit(f"{auditor} not found: run `make` targets from the repository root")
    return auditor


def verify_auditor(report: Path, expected_workloads: int) -> dict[str, Any]:
    """Counts from auditor's JSON report; raises when it judged nothing."""
    summary = json.loads(report.read_text(encoding="utf-8"))["summary"]
    if summary["rules"] == 0 or summary["resources"] < expected_workloads:
        raise RuntimeError(f"auditor judged too little: {summary}")
    if summary["errors"]:
        raise RuntimeError(f"auditor had {summary['errors']} rule errors")
    return {
        "resources": summary["resources"],
        "rules": summary["rules"],
        "findings": sum(summary["by_severity"].values()),
    }


def verify_checkov(report: Path, expected_workloads: int) -> dict[str, Any]:
    """Counts from checkov's JSON summary; raises when it scanned nothing or failed to parse."""
    document = json.loads(report.read_text(encoding="utf-8"))
    # One framework prints an object; several print a list of them.
    results = document if isinstance(document, dict) else document[0]
    summary = results["summary"]
    if summary["resource_count"] < expected_workloads or summary["parsing_errors"]:
        raise RuntimeError(f"checkov scanned too little: {summary}")
    return {
        "resources": summary["resource_count"],
        "checks": summary["passed"] + summary["failed"],
        "findings": summary["failed"],
        "passed": summary["passed"],
    }


def auditor_checks(tool: Tool) -> int | None:
    """Rule evaluations in one scan, from auditor's 'scan evaluated' log line (unmeasured run)."""
    completed = subprocess.run(
        [*tool.command, "--log-level", "info"], cwd=ROOT, capture_output=True, text=True
    )
    match = re.search(r"\"?checks\"?\s*[:=]\s*(\d+)", completed.stderr)
    return int(match.group(1)) if match else None


def run_once(tool: Tool, index: int, expected_workloads: int) -> dict[str, Any]:
    """Measure one run of `tool`, check its exit code and report, and record both."""
    log = OUT / f"{tool.name}-run{index}.log"
    time_file = OUT / f"{tool.name}-run{index}.time"
    tool.report.unlink(missing_ok=True)  # a stale report must never pass verification
    # Other work on this machine slows both tools; the load average shows when it did.
    load_before = os.getloadavg()[0]
    with log.open("wb") as stderr:
        if tool.report_on_stdout:
            with tool.report.open("wb") as report:
                result = measure(
                    tool.command, cwd=ROOT, stdout=report, stderr=stderr, time_file=time_file
                )
        else:
            result = measure(
                tool.command,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                time_file=time_file,
            )
    if result.exit_code not in tool.ok_exit_codes:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"{tool.name} exited {result.exit_code}; see {log}:\n{tail}")
    counts = tool.verify(tool.report, expected_workloads)
    return {**result.as_dict(), "load_1m_before": load_before, **counts}


def spread(values: list[float]) -> dict[str, float]:
    """Median, min and max of one figure."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    meminfo = Path("/proc/meminfo").read_text(encoding="ascii")
    total_kib = int(meminfo.split("\n", 1)[0].split()[1])  # MemTotal comes first
    cpuinfo = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    models = [
        line.split(":", 1)[1].strip()
        for line in cpuinfo.splitlines()
        if line.startswith("model name")
    ]
    cpu = models[0] if models else ""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    # Other people's uncommitted edits to the scanner would make the commit a half-truth.
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "auditor", "exporters", "rules"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(total_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "auditor_commit": commit,
        "auditor_uncommitted_changes": bool(dirty),
    }


def figures(tool: Tool) -> dict[str, dict[str, float]]:
    """Median, min and max of wall time, CPU time (user + system) and peak memory."""
    cpu = [run["user_seconds"] + run["system_seconds"] for run in tool.runs]
    return {
        "wall_seconds": spread(tool.measurements("wall_seconds")),
        "cpu_seconds": spread(cpu),
        "peak_memory_mib": spread([kib / 1024 for kib in tool.measurements("peak_memory_kib")]),
    }


def print_table(tools: list[Tool], ratios: dict[str, float], targets: dict[str, bool]) -> None:
    """A markdown table of medians (min-max) per tool, then the ratios against the targets.

    CPU time is shown because on a shared machine it moves less than wall time does.
    """
    print("\n| tool | runs | wall s | CPU s | peak memory MiB |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for tool in tools:
        cells = [
            f"{f['median']:.1f} ({f['min']:.1f}-{f['max']:.1f})"
            if key != "peak_memory_mib"
            else f"{f['median']:.0f} ({f['min']:.0f}-{f['max']:.0f})"
            for key, f in figures(tool).items()
        ]
        print(f"| {tool.name} | {len(tool.runs)} | {' | '.join(cells)} |")
    if ratios:
        print()
        for key, target in (("wall", WALL_TARGET), ("memory", MEMORY_TARGET)):
            verdict = "met" if targets[key] else "NOT MET"
            ratio = f"{key} ratio auditor/checkov {ratios[key]:.3f}"
            print(f"{ratio} (target <= {target:.3f}): {verdict}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options; --quick sets a small count and two runs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, help="manifests (app files) to generate: 5000")
    parser.add_argument("--runs", type=int, help="measured runs per tool: 5")
    parser.add_argument("--quick", action="store_true", help="smoke run: 500 manifests, 2 runs")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument(
        "--only", choices=("auditor", "checkov"), help="measure one tool (no ratios)"
    )
    parser.add_argument("--auditor", type=Path, help="auditor executable (default .venv)")
    parser.add_argument("--checkov-spec", default=CHECKOV_SPEC, help="pip spec for checkov")
    parser.add_argument(
        "--workloads",
        type=Path,
        default=WORKLOADS,
        help="where to generate the manifests (inside the repository; default bench/out/workloads)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=OUT / "results.json",
        help="where to write the raw results (and read them, with --reuse-checkov)",
    )
    parser.add_argument(
        "--reuse-checkov",
        action="store_true",
        help="take checkov's runs from the --results file (same set and version) and"
        " measure auditor only: checkov needs minutes per run, auditor changes more often",
    )
    args = parser.parse_args(argv)
    if not args.workloads.resolve().is_relative_to(ROOT):
        parser.error("--workloads must be inside the repository (commands use relative paths)")
    if args.reuse_checkov and args.only:
        parser.error("--reuse-checkov measures auditor and reuses checkov: drop --only")
    args.count = args.count or (500 if args.quick else 5000)
    args.runs = args.runs or (2 if args.quick else 5)
    if args.count < 1 or args.runs < 1:
        parser.error("--count and --runs must be at least 1")
    return args


def build_tools(args: argparse.Namespace) -> tuple[list[Tool], str | None]:
    """The tools to measure (auditor first) and checkov's version when it is one of them.

    Commands use paths relative to the repository root, exactly as a reader would type them.
    """
    workloads = str(args.workloads.resolve().relative_to(ROOT))
    tools: list[Tool] = []
    checkov_version = None
    if args.only in (None, "auditor"):
        auditor = auditor_executable(args.auditor)
        executable = auditor.relative_to(ROOT) if auditor.is_relative_to(ROOT) else auditor
        report = OUT / "auditor-report.json"
        command = [str(executable), "scan", workloads, "--format", "json"]
        command += ["--output", str(report.relative_to(ROOT)), "--fail-on", "none"]
        tools.append(Tool("auditor", command, report, verify_auditor, frozenset({0}), False))
    if args.only in (None, "checkov"):
        checkov, checkov_version = ensure_checkov(args.checkov_spec)
        command = [str(checkov.relative_to(ROOT)), "-d", workloads, "--framework", "kubernetes"]
        # --skip-download: offline and reproducible, no fetch of Prisma Cloud guidelines
        # (without network that fetch fails at once, so it costs nothing either way).
        command += ["--quiet", "--compact", "-o", "json", "--skip-download"]
        report = OUT / "checkov-report.json"
        # checkov exits 1 when any check fails, which on this set is always.
        tools.append(Tool("checkov", command, report, verify_checkov, frozenset({0, 1}), True))
    return tools, checkov_version


def reuse_checkov_runs(tool: Tool, version: str, workloads: dict[str, Any], path: Path) -> None:
    """Fill `tool.runs` from earlier results; refuse when the set or checkov version differ."""
    if not path.is_file():
        raise SystemExit(f"--reuse-checkov: no {path} yet")
    previous = json.loads(path.read_text(encoding="utf-8"))
    earlier = previous.get("tools", {}).get("checkov")
    if earlier is None or not earlier.get("runs"):
        raise SystemExit("--reuse-checkov: the last results have no checkov runs")
    if previous["workloads"] != workloads:
        raise SystemExit("--reuse-checkov: the last results were for another workload set")
    if previous["machine"]["checkov_version"] != version:
        raise SystemExit("--reuse-checkov: the last results used another checkov version")
    tool.runs = earlier["runs"]
    tool.reused_from = earlier.get("reused_from") or previous["generated_at"]


def compare(tools: list[Tool]) -> tuple[dict[str, float], dict[str, bool]]:
    """auditor/checkov ratios of the medians, and whether each meets its target."""
    by_name = {tool.name: tool for tool in tools}
    if set(by_name) != {"auditor", "checkov"}:
        return {}, {}
    ratios = {}
    for key, figure in (("wall", "wall_seconds"), ("memory", "peak_memory_kib")):
        ours = statistics.median(by_name["auditor"].measurements(figure))
        theirs = statistics.median(by_name["checkov"].measurements(figure))
        ratios[key] = ours / theirs
    targets = {"wall": ratios["wall"] <= WALL_TARGET, "memory": ratios["memory"] <= MEMORY_TARGET}
    return ratios, targets


def checks_per_scan(tool: Tool) -> int | None:
    """How many (rule, resource) evaluations one scan of the set makes."""
    if tool.name == "checkov":
        return int(tool.runs[0]["checks"])
    return auditor_checks(tool)


def main(argv: list[str] | None = None) -> int:
    """Generate, measure (interleaved), verify, compare, report."""
    args = parse_args(argv)
    ensure_gnu_time()
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"generating {args.count} manifests into {args.workloads} ...", flush=True)
    kinds = generate(args.workloads, args.count, args.seed)
    workloads = {"count": args.count, "seed": args.seed, "objects": dict(kinds)}
    tools, checkov_version = build_tools(args)
    if args.reuse_checkov:
        reuse_checkov_runs(tools[-1], str(checkov_version), workloads, args.results)
    # Interleaved, so drift in the machine's state falls on both tools alike.
    for index in range(1, args.runs + 1):
        for tool in (t for t in tools if t.reused_from is None):
            print(f"{tool.name} run {index}/{args.runs} ...", end=" ", flush=True)
            run = run_once(tool, index, args.count)
            tool.runs.append(run)
            print(
                f"{run['wall_seconds']:.2f} s, {run['peak_memory_kib'] / 1024:.0f} MiB", flush=True
            )
    ratios, targets = compare(tools)
    results = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {**machine(), "checkov_version": checkov_version},
        "workloads": workloads,
        "memory_method": (
            "peak_memory = max(GNU time max RSS of the largest process, sampled peak of the"
            " process tree's summed PSS); see bench/measure.py"
        ),
        "tools": {
            tool.name: {
                "command": " ".join(tool.command),
                "reused_from": tool.reused_from,
                "checks_per_scan": checks_per_scan(tool),
                **figures(tool),
                "runs": tool.runs,
            }
            for tool in tools
        },
        "ratios": ratios,
        "targets": {"wall": WALL_TARGET, "memory": MEMORY_TARGET, "met": targets},
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(tools, ratios, targets)
    for tool in tools:
        print(f"{tool.name}: {results['tools'][tool.name]['checks_per_scan']} checks per scan")
    print(f"raw results: {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
