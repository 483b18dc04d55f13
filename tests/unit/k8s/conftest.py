"""Helpers for the Kubernetes normaliser tests: normalise inline YAML, find resources by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from auditor.k8s import NormalizeResult, RawObject, normalize
from auditor.model import Resource


class Normalised:
    """A NormalizeResult with lookups by kind and name."""

    def __init__(self, result: NormalizeResult) -> None:
        self.result = result
        self.warnings = result.warnings

    def all(self, kind: str) -> list[Resource]:
        """Every resource of `kind`, in output order."""
        return [r for r in self.result.resources if r.kind == kind]

    def one(self, kind: str, name: str) -> dict[str, Any]:
        """The data of the single resource of `kind` called `name`."""
        found = [r for r in self.all(kind) if r.data["name"] == name]
        assert len(found) == 1, f"{len(found)} {kind} named {name}"
        return found[0].data

    def workload(self, name: str) -> dict[str, Any]:
        """The data of the k8s.workload called `name`."""
        return self.one("k8s.workload", name)


@pytest.fixture
def normalise() -> Callable[..., Normalised]:
    """Normalise the objects of a multi-document YAML string (cluster 'gke-1', source 'test')."""

    def run(text: str, **options: Any) -> Normalised:
        objects = [RawObject(d) for d in yaml.safe_load_all(text) if d is not None]
        return Normalised(normalize(objects, cluster="gke-1", source="test", **options))

    return run
