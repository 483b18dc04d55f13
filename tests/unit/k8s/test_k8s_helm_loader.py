"""Rendering a Helm chart offline: values files and --set, locations in templates, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.loaders.helm import is_chart_dir, load_chart, template_line
from auditor.model import PiiLabel

CHART = Path(__file__).resolve().parents[2] / "fixtures" / "k8s" / "chart"


def test_default_values_render() -> None:
    """With the chart's own values the worker has one replica and no PDB renders."""
    result = load_chart(CHART, release_name="nightly", namespace="etl", cluster="gke-1")
    [worker] = [r for r in result.resources if r.kind == "k8s.workload"]
    assert worker.id == "gke-1/etl/Deployment/nightly-worker"
    assert worker.data["replicas"] == 1
    assert worker.data["pdbs"] == []
    assert worker.data["namespace_default_deny"] == {"ingress": True, "egress": False}
    assert worker.data["containers"][0]["env"] == []


def test_helm_test_hooks_are_skipped_with_a_warning() -> None:
    """A `helm.sh/hook: test` Pod is not part of the release, so it is skipped and said so."""
    result = load_chart(CHART, release_name="nightly", namespace="etl")
    test_file = CHART / "templates" / "tests" / "test-connection.yaml"
    assert result.warnings == [f"{test_file}:1: skipped: Helm test hook nightly-test"]
    assert [r.data["name"] for r in result.resources if r.kind == "k8s.workload"] == [
        "nightly-worker"
    ]


def test_values_files_then_set_values_override_in_order() -> None:
    """A values file overrides the defaults and --set overrides the file, as with helm."""
    result = load_chart(
        CHART,
        values_files=[CHART / "values-prod.yaml"],
        set_values=["image.tag=2.4.0,env.DB_HOST=mysql-primary", "replicaCount=4"],
        release_name="nightly",
        namespace="etl",
    )
    [worker] = [r for r in result.resources if r.kind == "k8s.workload"]
    assert worker.data["replicas"] == 4
    assert worker.data["containers"][0]["image"] == "gcr.io/data-platform/etl-worker:2.4.0"
    assert worker.data["containers"][0]["env"] == [
        {"name": "DB_HOST", "value": "mysql-primary", "from": None}
    ]
    assert [p["name"] for p in worker.data["pdbs"]] == ["nightly-worker"]


def test_locations_point_at_templates() -> None:
    """Each resource names its template file and the line its document starts on there."""
    result = load_chart(CHART, release_name="nightly", namespace="etl")
    [worker] = [r for r in result.resources if r.kind == "k8s.workload"]
    assert worker.location is not None
    assert worker.location.file == str(CHART / "templates" / "deployment.yaml")
    assert worker.location.line == 2
    assert worker.source == "helm"


def test_template_line_skips_actions_and_finds_nth_document() -> None:
    """The line is the template document's first real line; a templated kind falls back to 1."""
    source = "{{- if .Values.a }}\napiVersion: v1\nkind: Service\n---\n# two\nkind: Service\n"
    assert template_line(source, "Service", 0) == 2
    assert template_line(source, "Service", 1) == 6
    assert template_line(source, "Service", 5) == 6
    assert template_line("kind: {{ .Values.kind }}\n", "Deployment", 0) == 1


def test_render_error_names_template_and_line() -> None:
    """A failing `required` raises InputError at the template and line helm reports."""
    with pytest.raises(InputError) as raised:
        load_chart(CHART, set_values=["image.repository="])
    assert raised.value.path == str(CHART / "templates" / "deployment.yaml")
    assert raised.value.line == 20
    assert "image.repository is required" in raised.value.detail
    assert str(CHART) in raised.value.detail


def test_bad_set_expression_does_not_echo_the_value() -> None:
    """An invalid --set names the key only, since the value may be a secret."""
    with pytest.raises(InputError) as raised:
        load_chart(CHART, set_values=["db.password={{s3cret"])
    assert "s3cret" not in str(raised.value)
    assert "db.password" in str(raised.value)


def test_values_file_must_be_a_mapping(tmp_path: Path) -> None:
    """A values file that is a list raises InputError at its line."""
    values = tmp_path / "values.yaml"
    values.write_text("- 1\n- 2\n")
    with pytest.raises(InputError, match="must be a YAML mapping"):
        load_chart(CHART, values_files=[values])


def test_is_chart_dir(tmp_path: Path) -> None:
    """Only a directory with a Chart.yaml is a chart; loading anything else is an InputError."""
    assert is_chart_dir(CHART)
    assert not is_chart_dir(tmp_path)
    assert not is_chart_dir(CHART / "Chart.yaml")
    with pytest.raises(InputError, match="not a Helm chart"):
        load_chart(tmp_path)


def test_the_pii_label_reaches_the_rendered_objects() -> None:
    """The scan's PII label is applied to what the chart renders (here, its release label)."""
    result = load_chart(
        CHART, release_name="nightly", namespace="etl", pii=PiiLabel("release", ("nightly",))
    )
    [worker] = [r for r in result.resources if r.kind == "k8s.workload"]
    assert worker.data["pii"] is True
