"""Compare auditor's GKE rules with checkov's Kubernetes checks on the same manifests.

For every pair of checks that judge the same thing (PAIRS below: the mapping, as data) and
every object both tools saw (matched by kind, namespace and name), count where they agree
(both fail, both pass) and where they differ (only we fail, only checkov fails), with examples
of each difference. docs/checkov-comparison.md is written from this script's output.

Three datasets:
- `demo`: the demo estate, auditor/demo/estate/k8s;
- `bench`: a generated benchmark set (bench/generate_workloads.py; the same seed and count
  always give the same files);
- `cases`: the objects behind the rule cases of every mapped rule
  (tests/fixtures/k8s/rule-cases), each case moved into namespaces of its own. They exercise
  the semantics two tools may read differently: pod-level settings inherited by containers,
  init containers, native sidecars, CronJob templates, `podSelector: {}`, built-in roles.

checkov runs from its own venv, by default bench/out/.checkov-venv (the one
bench/scan_vs_checkov.py creates), so its pins never meet ours:

    .venv/bin/python bench/compare_checkov.py --markdown   # generate, scan with both, compare
    .venv/bin/python bench/compare_checkov.py --reuse      # compare the last raw reports again

Raw reports go to OUT/raw, the counts and examples to OUT/comparison.json (OUT defaults to
bench/out/compare, which git ignores).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, zip_longest
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "compare"
DEMO = ROOT / "auditor" / "demo" / "estate" / "k8s"
CASE_FIXTURES = ROOT / "tests" / "fixtures" / "k8s" / "rule-cases"
CHECKOV = ROOT / "bench" / "out" / ".checkov-venv" / "bin" / "checkov"
AUDITOR = ROOT / ".venv" / "bin" / "auditor"
DEFAULT_COUNT = 1000
DEFAULT_SEED = 20240601
EXAMPLES = 8

WORKLOAD_KINDS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}
)
ROLE_KINDS = frozenset({"Role", "ClusterRole"})
BINDING_KINDS = frozenset({"RoleBinding", "ClusterRoleBinding"})
CLUSTER_SCOPED = frozenset({"Namespace", "ClusterRole", "ClusterRoleBinding"})
# A full-wildcard role is reported once, by the cluster-admin rule, not again by each RBAC rule.
FULL_ADMIN = "gke-rbac-cluster-admin-binding"

Key = tuple[str, str | None, str]  # (kind, namespace or None, name)


@dataclass(frozen=True, slots=True)
class Pair:
    """checkov checks and auditor rules (space-separated) that judge the same thing.

    A side fails an object when any of its checks or rules does. `level` is what both are
    compared on: `workload` (checkov judges the workload), `pod` (checkov judges the Pod it
    extracts from a workload's template, mapped back to the workload) or `rbac` (RoleBindings
    and ClusterRoleBindings, as we judge them; a checkov check on a Role or ClusterRole counts
    for each binding that grants it). `relation`: `same` (one intent), `threshold` (one
    subject, a different bar), `subset` (checkov's check is a special case of ours) or
    `different` (related names, different things judged).
    """

    name: str
    checks: str
    rules: str
    level: str = "workload"
    relation: str = "same"

    @property
    def checkov(self) -> tuple[str, ...]:
        """checkov's check ids."""
        return tuple(self.checks.split())

    @property
    def ours(self) -> tuple[str, ...]:
        """Our rule ids."""
        return tuple(self.rules.split())


W = "workload"
PAIRS = (
    Pair("privileged", "CKV_K8S_16", "gke-workload-privileged"),
    Pair("host namespaces", "CKV_K8S_17 CKV_K8S_18 CKV_K8S_19", "gke-workload-host-namespaces"),
    Pair("privilege escalation", "CKV_K8S_20", "gke-workload-privilege-escalation"),
    Pair("read-only root fs", "CKV_K8S_22", "gke-workload-root-filesystem-writable"),
    Pair("runs as root", "CKV_K8S_23", "gke-workload-runs-as-root"),
    Pair("drop ALL", "CKV_K8S_37", "gke-workload-capabilities-not-dropped"),
    Pair("NET_RAW dropped", "CKV_K8S_28", "gke-workload-capabilities-not-dropped", W, "threshold"),
    Pair("added capabilities", "CKV_K8S_25", "gke-workload-dangerous-capabilities", W, "threshold"),
    Pair("SYS_ADMIN", "CKV_K8S_39", "gke-workload-dangerous-capabilities", W, "subset"),
    Pair("seccomp", "CKV_K8S_31", "gke-workload-seccomp"),
    Pair("image tag", "CKV_K8S_14", "gke-workload-image-unpinned"),
    Pair("image digest", "CKV_K8S_43", "gke-workload-image-unpinned", W, "threshold"),
    Pair("probes", "CKV_K8S_8 CKV_K8S_9", "gke-workload-probes-missing"),
    Pair("requests", "CKV_K8S_10 CKV_K8S_12", "gke-workload-requests-missing"),
    Pair("memory limit", "CKV_K8S_13", "gke-workload-limits-missing"),
    Pair("CPU limit", "CKV_K8S_11", "gke-workload-limits-missing", W, "threshold"),
    Pair("token automount", "CKV_K8S_38", "gke-workload-automount-token"),
    Pair("docker socket", "CKV_K8S_27", "gke-workload-host-path", W, "subset"),
    Pair("network policy", "CKV2_K8S_6", "gke-workload-no-network-policy", "pod"),
    Pair("secrets in env", "CKV_K8S_35", "gke-workload-secret-env-literal", W, "different"),
    Pair("RBAC wildcards", "CKV_K8S_49", f"gke-rbac-wildcard {FULL_ADMIN}", "rbac"),
    Pair(
        "RBAC escalate/bind/impersonate",
        "CKV_K8S_157 CKV_K8S_158 CKV2_K8S_1 CKV2_K8S_3",
        f"gke-rbac-escalate-bind-impersonate {FULL_ADMIN}",
        "rbac",
    ),
    Pair("RBAC pod exec", "CKV2_K8S_2", f"gke-rbac-pod-exec {FULL_ADMIN}", "rbac"),
    Pair("RBAC secrets read", "CKV2_K8S_5", f"gke-rbac-secrets-read {FULL_ADMIN}", "rbac"),
)


@dataclass(slots=True)
class Manifests:
    """The objects of one dataset by key, the file of each, and the role each binding grants."""

    objects: dict[Key, dict[str, Any]] = field(default_factory=dict)
    files: dict[Key, str] = field(default_factory=dict)
    grants: dict[Key, Key] = field(default_factory=dict)

    @classmethod
    def read(cls, directory: Path) -> Manifests:
        """Every object in the YAML files under `directory`, hidden ones skipped as both tools
        do; a namespaced object without a namespace is in `default`, as both assume."""
        found = cls()
        for path in sorted(directory.rglob("*.y*ml")):
            relative = path.relative_to(directory)
            if any(part.startswith(".") for part in relative.parts):
                continue
            for body in yaml.safe_load_all(path.read_text(encoding="utf-8")):
                if isinstance(body, dict) and body.get("kind") and body.get("metadata"):
                    found.add(body, str(relative))
        return found

    def add(self, body: dict[str, Any], file: str) -> None:
        """Index one object (and, for a binding, the role it grants)."""
        kind = str(body["kind"])
        metadata = body["metadata"]
        namespace = None if kind in CLUSTER_SCOPED else metadata.get("namespace") or "default"
        key: Key = (kind, namespace, str(metadata.get("name")))
        self.objects[key] = body
        self.files[key] = file
        ref = body.get("roleRef") or {}
        if kind in BINDING_KINDS and ref.get("kind") in ROLE_KINDS:
            role_namespace = namespace if ref["kind"] == "Role" else None
            self.grants[key] = (str(ref["kind"]), role_namespace, str(ref.get("name")))

    def of_kinds(self, kinds: frozenset[str]) -> list[Key]:
        """Keys of the objects of these kinds, sorted."""
        return sorted((k for k in self.objects if k[0] in kinds), key=lambda k: (k[0], *k[1:]))

    def workload_named(self, namespace: str, name: str) -> Key | None:
        """The workload `name` in `namespace` (checkov names a template's Pod after it)."""
        for kind in sorted(WORKLOAD_KINDS):
            if (kind, namespace, name) in self.objects:
                return (kind, namespace, name)
        return None


def checkov_key(resource: str, manifests: Manifests) -> Key | None:
    """Our key for checkov's resource id `Kind.namespace.name`.

    checkov names cluster-scoped objects `Kind.default.name`, and the Pod it extracts from a
    workload's template `Pod.namespace.WORKLOAD.label-value...`; the latter maps to the workload.
    """
    kind, namespace, name = resource.split(".", 2)
    if kind in CLUSTER_SCOPED:
        return (kind, None, name)
    if kind == "Pod" and ("Pod", namespace, name) not in manifests.objects:
        parts = name.split(".")
        for end in range(len(parts), 0, -1):  # workload names may contain dots
            workload = manifests.workload_named(namespace, ".".join(parts[:end]))
            if workload is not None:
                return workload
        return None
    return (kind, namespace, name)


def checkov_verdicts(report: dict[str, Any], manifests: Manifests) -> dict[str, dict[Key, bool]]:
    """{check id: {key: failed}}; an object fails a check when any of its results fails."""
    verdicts: dict[str, dict[Key, bool]] = defaultdict(dict)
    results = report.get("results") or {}
    for outcome in ("passed_checks", "failed_checks"):
        for result in results.get(outcome, []):
            key = checkov_key(result["resource"], manifests)
            if key is not None:
                check = verdicts[result["check_id"]]
                check[key] = check.get(key, False) or outcome == "failed_checks"
    return verdicts


def our_failures(report: dict[str, Any]) -> dict[str, set[Key]]:
    """{rule id: keys of the objects with a finding}; ids are `cluster[/namespace]/Kind/name`."""
    failures: dict[str, set[Key]] = defaultdict(set)
    for finding in report["findings"]:
        parts = finding["resource"]["id"].split("/")
        namespace = parts[1] if len(parts) == 4 else None
        failures[finding["rule_id"]].add((parts[-2], namespace, parts[-1]))
    return failures


@dataclass(slots=True)
class Tally:
    """One pair's outcome on one dataset: counts, and the objects on which the tools differ."""

    agree_fail: int = 0
    agree_pass: int = 0
    ours_only: list[str] = field(default_factory=list)
    checkov_only: list[str] = field(default_factory=list)
    checkov_unjudged: int = 0  # objects checkov gave no verdict on (counted as passing)

    def as_dict(self) -> dict[str, Any]:
        """Counts, the agreement rate, and examples of each difference (spread over kinds)."""
        differ = len(self.ours_only) + len(self.checkov_only)
        total = self.agree_fail + self.agree_pass + differ
        return {
            "agree_fail": self.agree_fail,
            "agree_pass": self.agree_pass,
            "ours_only": len(self.ours_only),
            "checkov_only": len(self.checkov_only),
            "checkov_unjudged": self.checkov_unjudged,
            "agreement": round(1 - differ / total, 4) if total else None,
            "ours_only_examples": _spread(self.ours_only),
            "checkov_only_examples": _spread(self.checkov_only),
        }


def _spread(labels: list[str]) -> list[str]:
    # The first examples of each kind in turn, so CronJobs (sorted first) do not hide the rest.
    by_kind: dict[str, list[str]] = defaultdict(list)
    for text in labels:
        by_kind[text.split(" ", 1)[0]].append(text)
    mixed = chain.from_iterable(zip_longest(*by_kind.values()))
    return [text for text in mixed if text is not None][:EXAMPLES]


def compare_pair(
    pair: Pair, manifests: Manifests, checkov: dict[str, dict[Key, bool]], ours: dict[str, set[Key]]
) -> Tally:
    """Compare one pair's verdicts over every object of its level in the dataset."""
    kinds = BINDING_KINDS if pair.level == "rbac" else WORKLOAD_KINDS
    flagged = set().union(*(ours.get(rule, set()) for rule in pair.ours))
    tally = Tally()
    for key in manifests.of_kinds(kinds):
        # A Role-level check judges the role the binding grants (none for a built-in role).
        targets = (key, manifests.grants.get(key))
        judged = [checkov[c][t] for c in pair.checkov for t in targets if t in checkov.get(c, {})]
        tally.checkov_unjudged += not judged
        theirs, mine = any(judged), key in flagged
        kind, namespace, name = key
        text = f"{kind} {namespace + '/' if namespace else ''}{name} ({manifests.files[key]}"
        text += ")" if judged else "; checkov: no verdict)"
        if theirs == mine:
            tally.agree_fail += mine
            tally.agree_pass += not mine
        else:
            (tally.ours_only if mine else tally.checkov_only).append(text)
    return tally


def write_cases(out_dir: Path) -> int:
    """Write each distinct rule case of the mapped rules as one manifest file; the count.

    Cases reuse names (etl/etl-worker), so each moves into namespaces suffixed with its number
    (`etl-c007`, which also lifts the kube-system exclusions); its cluster-scoped objects take
    the suffix too, and a roleRef follows a ClusterRole the case defines (built-in ones keep
    their names). Cases that set params or waivers are written as they are: both tools scan
    with defaults.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.yaml"):
        old.unlink()
    seen: set[str] = set()
    for rule in sorted({rule for pair in PAIRS for rule in pair.ours}):
        fixture = yaml.safe_load((CASE_FIXTURES / f"{rule}.yaml").read_text(encoding="utf-8"))
        for outcome in ("pass", "fail"):
            for case in fixture.get(outcome) or []:
                identity = json.dumps(case["objects"], sort_keys=True)
                if identity in seen:
                    continue
                seen.add(identity)
                suffix = f"c{len(seen):03d}"
                roles = {
                    o["metadata"]["name"] for o in case["objects"] if o["kind"] == "ClusterRole"
                }
                objects = [_moved(obj, roles, suffix) for obj in case["objects"]]
                text = f"# {rule} {outcome}: {case['name']}\n"
                text += yaml.safe_dump_all(objects, sort_keys=False, explicit_start=True)
                (out_dir / f"{suffix}-{rule}-{outcome}.yaml").write_text(text, encoding="utf-8")
    return len(seen)


def _moved(obj: dict[str, Any], cluster_roles: set[str], suffix: str) -> dict[str, Any]:
    """A copy of `obj` in its case's own namespaces (see write_cases)."""
    obj = json.loads(json.dumps(obj))
    metadata = obj.setdefault("metadata", {})
    if obj["kind"] in CLUSTER_SCOPED:
        metadata["name"] = f"{metadata['name']}-{suffix}"
    else:
        metadata["namespace"] = f"{metadata.get('namespace') or 'default'}-{suffix}"
    ref = obj.get("roleRef") or {}
    if ref.get("kind") == "ClusterRole" and ref.get("name") in cluster_roles:
        ref["name"] = f"{ref['name']}-{suffix}"
    for subject in obj.get("subjects") or []:
        if subject.get("namespace"):
            subject["namespace"] = f"{subject['namespace']}-{suffix}"
    return obj


def run(command: list[str], ok: Iterable[int], stdout: Path | None = None) -> str:
    """Run a command, its stdout to a file when given (else returned); fail on an unexpected
    exit code."""
    print("$", " ".join(command), file=sys.stderr)
    with stdout.open("w", encoding="utf-8") if stdout else contextlib.nullcontext() as sink:
        done = subprocess.run(
            command, cwd=ROOT, stdout=sink or subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    if done.returncode not in set(ok):
        raise SystemExit(f"{command[0]} exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout or ""


def scan(datasets: dict[str, Path], raw: Path, checkov: Path) -> None:
    """Run checkov (the mapped checks only, compact JSON, offline) and auditor on each dataset."""
    checks = ",".join(sorted({c for pair in PAIRS for c in pair.checkov}))
    for name, directory in datasets.items():
        # checkov exits 1 when any check fails, which on these sets is always.
        options = ["--framework", "kubernetes", "--check", checks, "-o", "json", "--compact"]
        command = [str(checkov), "-d", str(directory), *options, "--skip-download"]
        run(command, ok=(0, 1), stdout=raw / f"checkov-{name}.json")
        report = str(raw / f"auditor-{name}.json")
        command = [str(AUDITOR), "scan", str(directory), "--format", "json", "--fail-on", "none"]
        run([*command, "--output", report], ok=(0,))


def provenance(checkov: Path, count: int, seed: int, cases: int) -> dict[str, Any]:
    """What the raw reports were made from: versions, our commit, the generated sets."""
    commit = run(["git", "rev-parse", "--short", "HEAD"], ok=(0,)).strip()
    # Uncommitted changes to tracked rules or code would make the commit a lie.
    changed = run(["git", "status", "--porcelain", "-uno", "--", "rules", "auditor"], ok=(0,))
    return {
        "checkov": run([str(checkov), "--version"], ok=(0,)).strip(),
        "auditor_commit": commit + ("-dirty" if changed.strip() else ""),
        "bench": {"count": count, "seed": seed},
        "cases": cases,
    }


def compare(datasets: dict[str, Path], raw: Path) -> dict[str, dict[str, Any]]:
    """{dataset: object counts and {pair name: tally}} from the raw reports."""
    results: dict[str, dict[str, Any]] = {}
    for name, directory in datasets.items():
        manifests = Manifests.read(directory)
        checkov_report = json.loads((raw / f"checkov-{name}.json").read_text(encoding="utf-8"))
        auditor_report = json.loads((raw / f"auditor-{name}.json").read_text(encoding="utf-8"))
        checkov = checkov_verdicts(checkov_report, manifests)
        ours = our_failures(auditor_report)
        results[name] = {
            "workloads": len(manifests.of_kinds(WORKLOAD_KINDS)),
            "bindings": len(manifests.of_kinds(BINDING_KINDS)),
            "pairs": {p.name: compare_pair(p, manifests, checkov, ours).as_dict() for p in PAIRS},
        }
    return results


def markdown(results: dict[str, dict[str, Any]]) -> Iterator[str]:
    """The mapping table: per dataset, agree-fail / agree-pass / ours only / checkov only and
    the agreement rate."""
    names = list(results)
    yield "| pair | checkov | auditor | relation | " + " | ".join(names) + " |"
    yield "|" + " --- |" * (4 + len(names))
    for pair in PAIRS:
        cells = []
        for name in names:
            t = results[name]["pairs"][pair.name]
            rate = "–" if t["agreement"] is None else f"{t['agreement']:.1%}"
            counts = (t["agree_fail"], t["agree_pass"], t["ours_only"], t["checkov_only"])
            cells.append(" / ".join(map(str, counts)) + f" ({rate})")
        rules = ", ".join(f"`{r}`" for r in pair.ours if r != FULL_ADMIN)
        rules += " (+ cluster-admin)" if FULL_ADMIN in pair.ours else ""
        checks = ", ".join(pair.checkov)
        yield f"| {pair.name} | {checks} | {rules} | {pair.relation} | {' | '.join(cells)} |"


def main(argv: list[str] | None = None) -> int:
    """Command line: generate, scan with both tools, compare, write comparison.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where datasets and reports go")
    parser.add_argument("--checkov", type=Path, default=CHECKOV, help="checkov executable")
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="generated workloads")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument("--reuse", action="store_true", help="compare the last raw reports")
    parser.add_argument("--markdown", action="store_true", help="print the mapping table")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    raw = out / "raw"
    datasets = {"demo": DEMO, "bench": out / "bench", "cases": out / "cases"}
    made = raw / "provenance.json"
    if not args.reuse:
        if not args.checkov.is_file():
            parser.error(
                f"no checkov at {args.checkov}: python3 -m venv bench/out/.checkov-venv && "
                "bench/out/.checkov-venv/bin/pip install checkov==3.3.30"
            )
        raw.mkdir(parents=True, exist_ok=True)
        generate = [sys.executable, str(ROOT / "bench" / "generate_workloads.py")]
        run(
            [
                *generate,
                str(datasets["bench"]),
                "--count",
                str(args.count),
                "--seed",
                str(args.seed),
            ],
            ok=(0,),
        )
        cases = write_cases(datasets["cases"])
        facts = provenance(args.checkov, args.count, args.seed, cases)
        scan(datasets, raw, args.checkov)
        made.write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
    elif not made.is_file():
        parser.error(f"--reuse: no earlier run in {out} ({made.name} missing)")
    results = {"provenance": json.loads(made.read_text(encoding="utf-8"))}
    results["datasets"] = compare(datasets, raw)
    (out / "comparison.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out / 'comparison.json'}", file=sys.stderr)
    if args.markdown:
        print("\n".join(markdown(results["datasets"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
