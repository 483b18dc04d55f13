"""The cases of rules/gke, made by the normaliser from small manifests.

A case's `resource` must be exactly what the normaliser produces, so it is never written by
hand: tests/fixtures/k8s/rule-cases/RULE_ID.yaml holds, for each case, the Kubernetes objects
behind it (and its params, now and expected severity), and this module normalises them and
writes the rule file's `cases:` section. tests/unit/k8s/test_k8s_rule_cases.py fails when a
rule's cases drift from what its fixture produces. After changing a fixture or the normaliser:

    .venv/bin/python -m tests.unit.k8s.rule_cases            # every rule under rules/gke
    .venv/bin/python -m tests.unit.k8s.rule_cases RULE_ID    # one rule

Fixture format (`subject` is needed only when the objects make several resources of the
rule's kind, `Namespace/NAME` picks a namespace; `waivers` are config waivers applied to the
resources as the scan does before evaluation, on the day of `now`; a top-level `shared:` list
holds YAML anchors for objects several cases use):

    pass:
      - name: three replicas
        subject: Deployment/etl-worker
        params: {min_replicas: 2}
        now: "2026-03-01T00:00:00Z"
        waivers: [{rule: ..., container: istio-proxy, reason: ..., owner: ..., expires: ...}]
        objects:
          - {apiVersion: apps/v1, kind: Deployment, ...}
    fail:
      - name: ...
        severity: critical
        objects: [...]
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from auditor.config import WaiverConfig
from auditor.k8s import RawObject, normalize
from auditor.k8s.exemptions import apply_container_waivers
from auditor.model import Resource
from auditor.waivers import Waiver

REPO = Path(__file__).resolve().parents[3]
RULES = REPO / "rules" / "gke"
FIXTURES = REPO / "tests" / "fixtures" / "k8s" / "rule-cases"
CLUSTER = "gke-data-prod"
CASES_HEADER = "\ncases:\n"
_OPTIONAL_KEYS = ("params", "now", "severity")
_FLOW_WIDTH = 96


class CaseFixtureError(ValueError):
    """A fixture that does not make exactly one resource for a case."""


def fixture_path(rule_id: str) -> Path:
    """Where the objects behind a rule's cases live."""
    return FIXTURES / f"{rule_id}.yaml"


def rule_kind(rule_file: Path) -> str:
    """The resource kind a rule file judges."""
    header = rule_file.read_text(encoding="utf-8").split(CASES_HEADER, 1)[0]
    kind = yaml.safe_load(header).get("resource")
    if not isinstance(kind, str):
        raise CaseFixtureError(f"{rule_file}: no resource kind")
    return kind


def generated_cases(rule_id: str, kind: str) -> dict[str, list[dict[str, Any]]]:
    """{pass: [...], fail: [...]} with each case's resource normalised from its objects."""
    path = fixture_path(rule_id)
    fixture = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases: dict[str, list[dict[str, Any]]] = {}
    for outcome in ("pass", "fail"):
        cases[outcome] = [
            _case(case, rule_id, kind, f"{path.name}: {outcome}: {case.get('name')}")
            for case in fixture.get(outcome) or []
        ]
    return cases


def _case(case: dict[str, Any], rule_id: str, kind: str, where: str) -> dict[str, Any]:
    objects = [RawObject(body) for body in case.get("objects") or []]
    result = normalize(objects, cluster=CLUSTER, source="rule-cases")
    if result.warnings:
        raise CaseFixtureError(f"{where}: {result.warnings[0]}")
    if case.get("waivers"):
        if "now" not in case:
            raise CaseFixtureError(f"{where}: a case with waivers needs `now`")
        today = datetime.fromisoformat(case["now"].replace("Z", "+00:00")).date()
        waivers = [
            Waiver(spec=WaiverConfig.model_validate(w), source=where) for w in case["waivers"]
        ]
        apply_container_waivers(result.resources, waivers, [rule_id], today)
    resource = _subject(result.resources, kind, case.get("subject"), where)
    made: dict[str, Any] = {"name": case["name"], "resource": resource.data}
    made.update({key: case[key] for key in _OPTIONAL_KEYS if key in case})
    return made


def _subject(resources: list[Resource], kind: str, subject: str | None, where: str) -> Resource:
    candidates = [r for r in resources if r.kind == kind]
    if subject is not None:
        object_kind, _, name = subject.partition("/")
        if object_kind == "Namespace":
            candidates = [r for r in candidates if r.data["name"] == name]
        else:
            candidates = [r for r in candidates if r.id.endswith(f"/{object_kind}/{name}")]
    if len(candidates) != 1:
        raise CaseFixtureError(f"{where}: {len(candidates)} {kind} resources match {subject!r}")
    return candidates[0]


def render_cases(cases: dict[str, list[dict[str, Any]]]) -> str:
    """The `cases:` section as YAML: block style, short leaf maps and lists in flow style."""
    body = yaml.dump(
        {"cases": {"pass": cases["pass"], "fail": cases["fail"]}},
        Dumper=_CaseDumper,
        sort_keys=False,
        width=4096,
        allow_unicode=True,
    )
    return body


def rewrite_rule(rule_file: Path) -> bool:
    """Replace a rule file's cases with those its fixture makes; True when the file changed."""
    text = rule_file.read_text(encoding="utf-8")
    if CASES_HEADER not in text:
        raise CaseFixtureError(f"{rule_file}: 'cases:' must be the last top-level key")
    header = text.split(CASES_HEADER, 1)[0]
    cases = generated_cases(rule_file.stem, rule_kind(rule_file))
    updated = header + "\n" + render_cases(cases)
    if updated == text:
        return False
    rule_file.write_text(updated, encoding="utf-8")
    return True


class _CaseDumper(yaml.SafeDumper):
    """Readable case data: nested structures in block style, small leaves inline."""

    def ignore_aliases(self, data: Any) -> bool:
        # The normaliser shares dicts between fields; every case spells its data out.
        return True

    def represent_dict(self, data: Any) -> yaml.Node:  # type: ignore[override]
        flow = _is_leaf(data.values()) and _short(data)
        return self.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow)

    def represent_list(self, data: Any) -> yaml.Node:  # type: ignore[override]
        flow = _is_leaf(data) and _short(data)
        return self.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)

    def represent_str(self, data: str) -> yaml.Node:  # type: ignore[override]
        style = "|" if "\n" in data else None
        return self.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _is_leaf(values: Any) -> bool:
    return not any(isinstance(v, dict | list) and v for v in values)


def _short(data: Any) -> bool:
    text = yaml.safe_dump(data, default_flow_style=True, width=4096).strip()
    return len(text) <= _FLOW_WIDTH and "\n" not in text


_CaseDumper.add_representer(dict, _CaseDumper.represent_dict)
_CaseDumper.add_representer(list, _CaseDumper.represent_list)
_CaseDumper.add_representer(str, _CaseDumper.represent_str)


def main(argv: list[str]) -> int:
    """Rewrite the cases of the named rules (default: every rule with a fixture)."""
    ids = argv or sorted(p.stem for p in FIXTURES.glob("*.yaml"))
    for rule_id in ids:
        rule_file = RULES / f"{rule_id}.yaml"
        if rewrite_rule(rule_file):
            print(f"rewrote {rule_file.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
