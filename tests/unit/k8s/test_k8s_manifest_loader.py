"""Reading manifests from disk: directory walk, multi-document files, Lists, locations, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.loaders.manifests import load_manifests
from auditor.model import PiiLabel

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "k8s"
MANIFESTS = FIXTURES / "manifests"


def test_directory_is_walked_recursively_in_sorted_order() -> None:
    """*.yaml and *.yml files under a directory are all read, and README.md is not."""
    result = load_manifests([MANIFESTS], cluster="gke-prod", source="manifests")
    ids = [r.id for r in result.resources]
    assert ids == [
        "gke-prod/ingest/Deployment/api",
        "gke-prod/ingest/Service/api",
        "gke-prod/ingest/ServiceAccount/api",
        "gke-prod/ingest/ServiceAccount/worker",
        "gke-prod/ingest",
    ]
    assert {r.source for r in result.resources} == {"manifests"}


def test_each_document_and_list_item_has_its_file_and_line() -> None:
    """Locations name the first line of each document, and of each List item."""
    result = load_manifests([MANIFESTS])
    app = str(MANIFESTS / "app.yaml")
    accounts = str(MANIFESTS / "nested" / "accounts.yml")
    where = {r.id: (r.location.file, r.location.line) for r in result.resources if r.location}
    assert where == {
        "manifests/ingest/Deployment/api": (app, 7),
        "manifests/ingest/Service/api": (app, 26),
        "manifests/ingest/ServiceAccount/api": (accounts, 4),
        "manifests/ingest/ServiceAccount/worker": (accounts, 9),
        "manifests/ingest": (app, 2),
    }


def test_non_objects_and_unread_kinds_are_warnings() -> None:
    """A values-like document and an Ingress are skipped with file:line warnings."""
    extras = str(MANIFESTS / "nested" / "extras.yaml")
    result = load_manifests([MANIFESTS / "nested" / "extras.yaml"])
    assert result.resources == []
    assert result.warnings == [
        f"{extras}:2: skipped: not a Kubernetes object (no apiVersion/kind)",
        f"{extras}:4: skipped: Ingress api (networking.k8s.io/v1): kind Ingress is not read",
    ]


def test_yaml_syntax_error_names_file_and_line() -> None:
    """A syntax error raises InputError pointing at the file and the line of the problem."""
    bad = FIXTURES / "broken" / "bad.yaml"
    with pytest.raises(InputError) as raised:
        load_manifests([bad])
    assert raised.value.path == str(bad)
    assert raised.value.line == 7
    assert raised.value.one_line().startswith(f"{bad}:7: invalid YAML: ")


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    """A path that does not exist raises InputError naming it."""
    with pytest.raises(InputError, match="no such file or directory"):
        load_manifests([tmp_path / "absent.yaml"])


def test_non_mapping_document_and_hidden_directories(tmp_path: Path) -> None:
    """A top-level YAML sequence is skipped with a warning; hidden directories are not read."""
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    hidden = tmp_path / ".git"
    hidden.mkdir()
    (hidden / "x.yaml").write_text("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: x}\n")
    result = load_manifests([tmp_path])
    assert result.resources == []
    assert result.warnings == [
        f"{tmp_path / 'list.yaml'}:1: skipped: not a Kubernetes object (a YAML sequence)"
    ]


def test_undecodable_file_is_an_input_error(tmp_path: Path) -> None:
    """A file that is not UTF-8 raises InputError rather than a traceback."""
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00kind")
    with pytest.raises(InputError, match="not UTF-8"):
        load_manifests([path])


def test_the_pii_label_reaches_the_manifests(tmp_path: Path) -> None:
    """A namespace carrying the configured PII label marks itself and its objects as PII."""
    (tmp_path / "etl.yaml").write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: etl, labels: {classification: gdpr}}\n"
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: etl}\n",
        encoding="utf-8",
    )
    default = load_manifests([tmp_path])
    assert {r.data["pii"] for r in default.resources} == {False}
    configured = load_manifests([tmp_path], pii=PiiLabel("classification", ("gdpr",)))
    assert {r.data["pii"] for r in configured.resources} == {True}
