"""Contracts kept by test: the documented fields are exactly the produced ones, the demo estate
loads cleanly, and every rule case under rules/gke is data the normaliser really produces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.engine.cases import run_cases
from auditor.engine.loader import load_rules
from auditor.loaders.manifests import load_manifests
from auditor.model import Resource

REPO = Path(__file__).resolve().parents[3]
DOC = REPO / "docs" / "resource-kinds" / "k8s.md"
RULES = REPO / "rules" / "gke"
DEMO = REPO / "auditor" / "demo" / "estate" / "k8s"
KINDS = (
    "k8s.workload",
    "k8s.namespace",
    "k8s.service",
    "k8s.service_account",
    "k8s.rbac_binding",
    "k8s.configmap",
)


def documented_fields() -> dict[str, set[str]]:
    """Field names per table of docs/resource-kinds/k8s.md: 'KIND' and 'KIND pod' etc."""
    fields: dict[str, set[str]] = {}
    table = None
    kind = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (k8s\.\w+)", line)
        sub_heading = re.match(r"^### `(\w+)(?:\[\])?`", line)
        if heading:
            kind = table = heading.group(1)
            fields[table] = set()
        elif line.startswith("## "):
            kind = table = None
        elif sub_heading and kind:
            table = f"{kind} {sub_heading.group(1)}"
            fields[table] = set()
        elif line.startswith("### "):
            table = None
        elif table and line.startswith("| `"):
            fields[table].update(re.findall(r"`(\w+)`", line.split("|")[1]))
    return fields


def demo_resources() -> list[Resource]:
    """The demo estate's resources, which cover every kind."""
    return load_manifests([DEMO], cluster="gke-data-prod").resources


def test_demo_estate_loads_without_warnings() -> None:
    """The bundled GKE manifests are all objects we read, with nothing skipped."""
    result = load_manifests([DEMO], cluster="gke-data-prod")
    assert result.warnings == []
    assert {r.kind for r in result.resources} == set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_documented_field_is_always_present_and_nothing_else(kind: str) -> None:
    """Each resource of the kind has exactly the fields docs/resource-kinds/k8s.md lists."""
    documented = documented_fields()
    resources = [r for r in demo_resources() if r.kind == kind]
    assert resources
    for resource in resources:
        assert set(resource.data) == documented[kind], resource.id
        if kind == "k8s.workload":
            assert set(resource.data["pod"]) == documented["k8s.workload pod"]
            for container in resource.data["containers"]:
                assert set(container) == documented["k8s.workload containers"]


def reference_shapes() -> dict[str, set[str]]:
    """Top-level, pod and container key sets per kind, from the demo estate."""
    shapes: dict[str, set[str]] = {}
    for resource in demo_resources():
        shapes.setdefault(resource.kind, set(resource.data))
        if resource.kind == "k8s.workload":
            shapes["pod"] = set(resource.data["pod"])
            shapes["container"] = set(resource.data["containers"][0])
    return shapes


def test_rule_cases_are_complete_normaliser_data() -> None:
    """Every case resource of rules/gke has every field the normaliser produces, and no other."""
    shapes = reference_shapes()
    loaded = load_rules([RULES])
    assert loaded.ok, [p.one_line() for p in loaded.problems]
    for rule in loaded.rules:
        for case in [*rule.spec.cases.pass_, *rule.spec.cases.fail]:
            data = case.resource
            where = f"{rule.id}: {case.name}"
            assert set(data) == shapes[rule.kind], where
            if rule.kind == "k8s.workload":
                assert set(data["pod"]) == shapes["pod"], where
                for container in data["containers"]:
                    assert set(container) == shapes["container"], where


def test_rule_cases_pass() -> None:
    """Each rules/gke pass case does not trigger its rule and each fail case does."""
    loaded = load_rules([RULES])
    assert len(loaded.rules) >= 8
    failures = [
        f"{r.rule_id} [{r.expected}] {r.name}: {r.detail}"
        for rule in loaded.rules
        for r in run_cases(rule)
        if not r.ok
    ]
    assert failures == []


def test_rules_cover_every_category_and_benchmark_versions() -> None:
    """The starter rules span zero-trust, least-privilege, pii and ha, and cite benchmark versions."""
    loaded = load_rules([RULES])
    assert {r.spec.category.value for r in loaded.rules} >= {
        "zero-trust",
        "least-privilege",
        "pii",
        "ha",
    }
    for rule in loaded.rules:
        for reference in rule.spec.references:
            if reference.benchmark:
                assert reference.version, rule.id
