"""`type: gke` sources in auditor.yaml: defaults, the one way in, no token, namespace patterns."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.collectors.gke import GkeSettings
from auditor.config import load_config
from auditor.errors import ConfigError


def _load(tmp_path: Path, source: str) -> GkeSettings:
    path = tmp_path / "auditor.yaml"
    path.write_text(f"sources:\n  - name: data-prod\n    type: gke\n{source}", encoding="utf-8")
    [settings] = load_config(path, environ={}).sources
    assert isinstance(settings, GkeSettings)
    return settings


def _error(tmp_path: Path, source: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, source)
    return caught.value


def test_a_context_is_enough(tmp_path: Path) -> None:
    """kubeconfig and context only: cluster-wide, 500 per page, cluster named after the source."""
    settings = _load(tmp_path, "    context: gke_acme_europe-west1_data-prod\n")
    assert settings.context == "gke_acme_europe-west1_data-prod"
    assert settings.kubeconfig is None
    assert settings.cluster_name == "data-prod"
    assert settings.page_size == 500
    assert settings.namespaces.named() is None
    assert (settings.timeout_seconds, settings.request_timeout_seconds) == (120.0, 30.0)


def test_a_token_in_the_config_is_refused(tmp_path: Path) -> None:
    """There is no key for a token: credentials come from the kubeconfig or the pod."""
    error = _error(tmp_path, "    token: ya29.secret\n")
    assert error.line == 4
    assert error.detail == "sources.0.token: unknown key"
    assert "ya29" not in error.one_line()


def test_in_cluster_excludes_a_kubeconfig(tmp_path: Path) -> None:
    """in_cluster with a context is one way in too many."""
    error = _error(tmp_path, "    in_cluster: true\n    context: x\n")
    assert "give either in_cluster or kubeconfig/context" in error.detail


def test_namespace_patterns_are_checked(tmp_path: Path) -> None:
    """A namespace pattern with characters no namespace has is an error at its line."""
    error = _error(tmp_path, "    namespaces:\n      include: [etl, 'Team A']\n")
    assert "sources.0.namespaces.include" in error.detail
    assert "'Team A' is not a namespace name or glob" in error.detail


@pytest.mark.parametrize(
    ("include", "named"),
    [
        ([], None),
        (["etl", "cdc", "etl"], ("etl", "cdc")),
        (["etl", "team-*"], None),
        (["ns[12]"], None),
    ],
)
def test_exact_names_are_listed_namespace_by_namespace(
    include: list[str], named: tuple[str, ...] | None
) -> None:
    """Only an include list of exact names (no glob) selects per-namespace listing."""
    settings = GkeSettings.model_validate(
        {"name": "x", "type": "gke", "namespaces": {"include": include}}
    )
    assert settings.namespaces.named() == named


def test_page_size_is_bounded(tmp_path: Path) -> None:
    """page_size 0 is refused, naming the field."""
    error = _error(tmp_path, "    page_size: 0\n")
    assert "sources.0.page_size" in error.detail
