"""Contracts kept by test: the documented fields of each kind are exactly the produced ones,
and every rule case under rules/airflow and rules/composer is data of that exact shape."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.collectors.airflow.delivery import BucketObject, ParsedFile, compare, hash_file
from auditor.collectors.airflow.settings import DagDelivery
from tests.unit.airflow.fake_v1 import fake_airflow_v1
from tests.unit.airflow.test_airflow_v1 import _collect

REPO = Path(__file__).resolve().parents[3]
DOC = REPO / "docs" / "resource-kinds" / "airflow.md"
KINDS = ("airflow.environment", "airflow.dag", "airflow.import_error", "composer.dag_file")


def documented_fields() -> dict[str, set[str]]:
    """Field names from the first column of each kind's table."""
    fields: dict[str, set[str]] = {}
    kind = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## ((?:airflow|composer)\.\w+)", line)
        if heading:
            kind = heading.group(1)
            fields[kind] = set()
        elif kind and line.startswith("| `"):
            fields[kind].update(re.findall(r"`(\w+)`", line.split("|")[1]))
    return fields


def produced() -> dict[str, list[dict[str, Any]]]:
    """Resources of every kind: the API kinds through the v1 collector, delivery through
    the comparison over a Git file, a bucket object and a parse."""
    out: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    with pytest.MonkeyPatch.context() as patch, fake_airflow_v1() as server:
        patch.setenv("AIRFLOW2_PASSWORD", "v1-Basic-pw")
        for resource in _collect(server).resources:
            out.setdefault(resource.kind, []).append(resource.data)
    delivery = DagDelivery(git_dags_folder=Path("dags"), bucket_prefix="gs://b/dags")
    updated = datetime(2026, 11, 26, tzinfo=UTC)
    git = {"a.py": hash_file("a.py", b"from airflow import DAG\n")}
    bucket = {"a.py": BucketObject("dags/a.py", git["a.py"].md5, git["a.py"].crc32c, updated),
              "b.py": BucketObject("dags/b.py", None, "AAAAAA==", updated)}  # fmt: skip
    parsed = {"a.py": ParsedFile(["a"], updated, None, None)}
    out["composer.dag_file"] = compare("env", delivery, git, bucket, parsed)
    return out


PRODUCED = produced()


@pytest.mark.parametrize("kind", KINDS)
def test_documented_fields_are_exactly_the_produced_ones(kind: str) -> None:
    """Every resource of the kind has exactly the fields docs/resource-kinds/airflow.md lists."""
    documented = documented_fields()[kind]
    assert PRODUCED[kind], kind
    for data in PRODUCED[kind]:
        assert set(data) == documented


def _cases() -> list[tuple[str, str, dict[str, Any]]]:
    cases = []
    for path in sorted([*REPO.glob("rules/airflow/*.yaml"), *REPO.glob("rules/composer/*.yaml")]):
        rule = yaml.safe_load(path.read_text(encoding="utf-8"))
        for outcome in ("pass", "fail"):
            for case in rule["cases"][outcome]:
                cases.append((f"{rule['id']}: {case['name']}", rule["resource"], case["resource"]))
    return cases


@pytest.mark.parametrize(("name", "kind", "data"), _cases(), ids=[c[0] for c in _cases()])
def test_rule_cases_have_the_produced_shape(name: str, kind: str, data: dict[str, Any]) -> None:
    """A case resource has exactly the documented fields, each null or of the type the
    collector produces for it."""
    assert set(data) == documented_fields()[kind], name
    types: dict[str, set[type]] = {}
    for sample in PRODUCED[kind]:
        for field, value in sample.items():
            if value is not None:
                types.setdefault(field, set()).add(type(value))
    for field, value in data.items():
        if value is not None and field in types:
            assert type(value) in types[field], (name, field, value)
