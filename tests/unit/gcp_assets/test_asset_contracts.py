"""Contracts kept by test: every asset kind has exactly the fields docs/resource-kinds/gcp.md
lists, every rules/gcp-assets case resource too, and `auditor scan` reads gcloud exports
(with file:line errors) into exactly what the normaliser makes of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.errors import InputError
from auditor.gcp.asset_results import parse_policy_result, parse_resource_result
from auditor.gcp.assets import normalise_assets
from auditor.gcp.resource_facts import FACT_KINDS
from auditor.gcp.resource_iam import IMPERSONATION_KIND
from auditor.loaders.static import StaticOptions, load_static
from tests.fakes.gcp import asset_seed
from tests.unit.gcp.gcp_docs import documented_fields

REPO = Path(__file__).resolve().parents[3]
RULES = REPO / "rules" / "gcp-assets"
ASSET_KINDS = (*FACT_KINDS, IMPERSONATION_KIND)


def _seeded() -> list[Any]:
    policies = [parse_policy_result(r, (i,)) for i, r in enumerate(asset_seed.iam_policies())]
    resources = [parse_resource_result(r, (i,)) for i, r in enumerate(asset_seed.resources())]
    return normalise_assets(policies, resources, source="seed").resources


@pytest.mark.parametrize("kind", [*ASSET_KINDS, "gcp.iam_binding", "gcp.iam_member"])
def test_every_documented_field_is_always_present_and_nothing_else(kind: str) -> None:
    """Each resource of the kind made from the seed has exactly the documented fields."""
    documented = documented_fields()[kind]
    made = [r for r in _seeded() if r.kind == kind]
    assert made
    for resource in made:
        assert set(resource.data) == documented, resource.id


def _cases() -> list[tuple[str, str, str, dict[str, Any]]]:
    found = []
    for path in sorted(RULES.glob("*.yaml")):
        rule = yaml.safe_load(path.read_text(encoding="utf-8"))
        for outcome in ("pass", "fail"):
            for case in rule["cases"][outcome]:
                found.append((rule["id"], rule["resource"], case["name"], case["resource"]))
    return found


@pytest.mark.parametrize(
    ("rule_id", "kind", "name", "data"), _cases(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_rule_cases_have_the_documented_fields(
    rule_id: str, kind: str, name: str, data: dict[str, Any]
) -> None:
    """A case resource states every field of its kind, and no other."""
    assert set(data) == documented_fields()[kind], f"{rule_id}: {name}"


def test_every_asset_kind_has_a_rule() -> None:
    """Each kind the asset reads make is judged by at least one rule with cases."""
    judged = {kind for _, kind, _, _ in _cases()}
    assert judged >= {
        "gcp.cloud_function",
        "gcp.dataflow_job",
        "gcp.storage_bucket",
        "gcp.bigquery_dataset",
        "gcp.pubsub_subscription",
        IMPERSONATION_KIND,
    }


def test_exports_load_as_the_normaliser_makes_them(tmp_path: Path) -> None:
    """gcloud export files give the seed's resources, each at the line of its result."""
    asset_seed.write(tmp_path)
    loaded, sources = load_static([tmp_path], StaticOptions())
    assert [(s.name, s.resources) for s in sources] == [("cloud-asset", len(loaded.resources))]
    expected = {(r.kind, r.id): r.data for r in _seeded()}
    assert {(r.kind, r.id): r.data for r in loaded.resources} == expected
    bucket = next(r for r in loaded.resources if r.kind == "gcp.storage_bucket")
    assert bucket.location is not None
    lines = (tmp_path / "assets.resources.json").read_text(encoding="utf-8").splitlines()
    assert f'"name": "{bucket.id}"' in lines[bucket.location.line]


def test_a_malformed_export_names_file_line_and_field(tmp_path: Path) -> None:
    """A bad member in an exported policy is an input error at its line."""
    policies = asset_seed.iam_policies()
    policies[3]["policy"]["bindings"][0]["members"] = ["usr:x@acme-data.example"]
    path = tmp_path / "policies.json"
    path.write_text(json.dumps(policies, indent=2), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_static([path], StaticOptions())
    text = caught.value.one_line()
    assert str(path) in text
    assert "[3].policy.bindings[0].members[0]" in text
    assert caught.value.line is not None


def test_a_result_without_a_full_name_names_its_line(tmp_path: Path) -> None:
    """A resource result whose name is not a full resource name fails at its line."""
    resources = asset_seed.resources()
    resources[5]["name"] = "acme-data-prod-landing"
    path = tmp_path / "resources.json"
    path.write_text(json.dumps(resources, indent=2), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_static([path], StaticOptions())
    assert "[5].name" in caught.value.one_line()
    assert "search-all-resources" in caught.value.one_line()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert caught.value.line is not None
    assert '"name": "acme-data-prod-landing"' in lines[caught.value.line - 1]
