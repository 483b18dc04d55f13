"""GCP JSON inputs under fuzzing — IAM policies, gcloud listings, Cloud Asset search results,
Terraform plans: any mutation of a real file is resources or one InputError naming the file
and a line in it; the parsers underneath raise only their documented format errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.engine.evaluate import Engine
from auditor.errors import InputError
from auditor.gcp.asset_results import parse_policy_result, parse_resource_result
from auditor.gcp.fields import ListingFormatError
from auditor.gcp.policy import PolicyFormatError, parse_policy
from auditor.loaders.result import LoadResult
from auditor.loaders.static import StaticOptions, load_static
from tests.fuzz.mutations import damaged_text, fuzz_settings, mutated
from tests.fuzz.seeds import (
    asset_documents,
    bundled_rules,
    listing_documents,
    policy_documents,
    policy_files,
    terraform_plan,
)

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch folder; each example writes one file into a fresh subfolder."""
    return tmp_path_factory.mktemp("gcp")


@cache
def _engine() -> Engine:
    return Engine(bundled_rules())


_counter = iter(range(10**9))


def _scan(scratch: Path, name: str, text: str) -> tuple[Path, LoadResult | InputError]:
    folder = scratch / str(next(_counter))
    folder.mkdir()
    path = folder / name
    path.write_text(text, encoding="utf-8")
    try:
        result, _ = load_static([path], StaticOptions())
    except InputError as exc:
        return path, exc
    return path, result


def assert_loaded_or_located(path: Path, outcome: LoadResult | InputError, text: str) -> None:
    """An InputError names this file and a line of it; resources are judged without raising."""
    if isinstance(outcome, InputError):
        assert outcome.path == str(path), outcome
        if outcome.line is not None:
            assert 1 <= outcome.line <= text.count("\n") + 1, outcome
        return
    _engine().evaluate(outcome.resources, NOW)


def _json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


_NAMED_POLICIES = [(p.name, d) for p, d in zip(policy_files(), policy_documents(), strict=True)]


@fuzz_settings(40)
@given(
    name=st.sampled_from([n for n, _ in _NAMED_POLICIES]),
    document=mutated(policy_documents(), max_mutations=4),
)
def test_mutated_iam_policy_loads_or_is_a_located_error(
    scratch: Path, name: str, document: Any
) -> None:
    """`gcloud get-iam-policy` output with bindings, members, conditions or audit configs
    deleted, retyped or replaced."""
    text = _json(document)
    path, outcome = _scan(scratch, name, text)
    assert_loaded_or_located(path, outcome, text)


@fuzz_settings(60)
@given(document=mutated(listing_documents(), max_mutations=4))
def test_mutated_gcloud_listing_loads_or_is_a_located_error(scratch: Path, document: Any) -> None:
    """Service accounts, keys, custom roles, GKE clusters and activity listings, mutated."""
    text = _json(document)
    path, outcome = _scan(scratch, "listing.json", text)
    assert_loaded_or_located(path, outcome, text)


@fuzz_settings(40)
@given(document=mutated([terraform_plan()], max_mutations=5))
def test_mutated_terraform_plan_loads_or_is_a_located_error(scratch: Path, document: Any) -> None:
    """`terraform show -json` output with resource changes, actions or values mutated."""
    text = _json(document)
    path, outcome = _scan(scratch, "plan.json", text)
    assert_loaded_or_located(path, outcome, text)


@fuzz_settings(40)
@given(document=mutated([d for d in asset_documents() if d], max_mutations=4))
def test_mutated_asset_search_loads_or_is_a_located_error(scratch: Path, document: Any) -> None:
    """`gcloud asset search-all-iam-policies|resources` output, mutated."""
    text = _json(document)
    path, outcome = _scan(scratch, "assets.json", text)
    assert_loaded_or_located(path, outcome, text)


@fuzz_settings(40)
@given(
    name=st.sampled_from([n for n, _ in _NAMED_POLICIES] + ["plan.json", "listing.json"]),
    text=damaged_text(
        [_json(d) for d in (*policy_documents(), *listing_documents()[:4], terraform_plan())]
    ),
)
def test_damaged_json_text_is_an_error_at_a_real_line(scratch: Path, name: str, text: str) -> None:
    """Truncated and hand-edited JSON: resources or an error at a line of the file."""
    path, outcome = _scan(scratch, name, text)
    assert_loaded_or_located(path, outcome, text)


def _resolves(document: Any, path: tuple[str | int, ...]) -> bool:
    """True when every step but the last of `path` exists in `document` (the field named may
    be the missing one)."""
    node = document
    for step in path[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return False
    return True


@fuzz_settings(100)
@given(document=mutated(policy_documents(), max_mutations=4))
def test_policy_parser_names_a_field_that_exists(document: Any) -> None:
    """parse_policy raises only PolicyFormatError, and its path leads into the document."""
    if not isinstance(document, dict):
        return
    try:
        parse_policy(document)
    except PolicyFormatError as exc:
        assert _resolves(document, exc.path), exc.path


@fuzz_settings(60)
@given(document=mutated([d for d in asset_documents() if d], max_mutations=4))
def test_asset_result_parsers_name_a_field_that_exists(document: Any) -> None:
    """Each search result parses or raises ListingFormatError at a path inside the document."""
    if not isinstance(document, list):
        return
    for index, raw in enumerate(document):
        for parse in (parse_policy_result, parse_resource_result):
            try:
                parse(raw, (index,))
            except ListingFormatError as exc:
                assert _resolves(document, exc.path), exc.path
