"""Kubernetes manifests under fuzzing: any YAML or bytes is resources (and warnings) or one
InputError at the file's line; the resources are judged by the bundled rules without raising."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from auditor.engine.evaluate import Engine
from auditor.errors import InputError
from auditor.loaders.manifests import load_manifests
from auditor.loaders.result import LoadResult
from tests.fuzz.mutations import damaged_text, fuzz_settings, mutated
from tests.fuzz.seeds import bundled_rules, manifest_documents, manifest_texts

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def manifest_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One scratch manifest file, rewritten by every example."""
    return tmp_path_factory.mktemp("manifests") / "app.yaml"


@cache
def _engine() -> Engine:
    return Engine(bundled_rules())


def _load(path: Path, data: bytes) -> LoadResult | InputError:
    path.write_bytes(data)
    try:
        return load_manifests([path], cluster="fuzz")
    except InputError as exc:
        return exc


def assert_loaded_or_located(outcome: LoadResult | InputError, path: Path, data: bytes) -> None:
    """An error names the file (and its line, inside the text); resources are judged cleanly."""
    if isinstance(outcome, InputError):
        assert outcome.path == str(path), outcome
        if outcome.line is not None:
            assert 1 <= outcome.line <= len(data.decode("utf-8-sig", "replace").splitlines()) + 1, (
                outcome
            )
        assert "\n" not in str(outcome), outcome
        return
    for warning in outcome.warnings:
        assert warning.startswith(f"{path}:") or str(path) in warning, warning
    for resource in outcome.resources:
        assert resource.kind.startswith("k8s."), resource.kind
        assert isinstance(resource.data, dict)
    _engine().evaluate(outcome.resources, NOW)  # raises only if the engine lets an error out


def _dump_all(documents: list[Any]) -> bytes:
    return yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True).encode()


@fuzz_settings(40)
@given(documents=st.lists(mutated(manifest_documents(), max_mutations=4), min_size=1, max_size=3))
def test_mutated_manifests_load_or_are_a_located_error(manifest_file: Path, documents: Any) -> None:
    """Real Deployments, RBAC, Services and Lists with fields deleted, retyped or replaced."""
    data = _dump_all(documents)
    assert_loaded_or_located(_load(manifest_file, data), manifest_file, data)


@fuzz_settings(50)
@given(text=damaged_text(manifest_texts()))
def test_damaged_manifest_text_loads_or_is_a_located_error(manifest_file: Path, text: str) -> None:
    """Line-level damage to a real manifest file."""
    data = text.encode()
    assert_loaded_or_located(_load(manifest_file, data), manifest_file, data)


@fuzz_settings(50)
@given(data=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)))
def test_arbitrary_bytes_load_or_are_an_input_error(manifest_file: Path, data: bytes) -> None:
    """Any bytes — not UTF-8, a BOM, control characters — are never an unexpected exception."""
    assert_loaded_or_located(_load(manifest_file, data), manifest_file, data)
