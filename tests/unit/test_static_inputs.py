"""`auditor scan PATH...` routes each input to the right loader, whatever the mix."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.loaders.static import StaticOptions, load_static
from auditor.model import Inventory
from auditor.snapshot import write_snapshot

SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: api, namespace: ingest}
spec:
  type: ClusterIP
  selector: {app: api}
  ports: [{port: 80}]
"""

POLICY = {
    "version": 1,
    "etag": "BwXhQ==",
    "bindings": [
        {
            "role": "roles/editor",
            "members": ["serviceAccount:etl@acme-data.iam.gserviceaccount.com"],
        }
    ],
}

CHART_YAML = "apiVersion: v2\nname: api\nversion: 0.1.0\n"
CHART_TEMPLATE = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ .Values.name }}
  namespace: {{ .Release.Namespace }}
"""


def _estate(root: Path) -> Path:
    (root / "k8s").mkdir(parents=True)
    (root / "k8s" / "svc.yaml").write_text(SERVICE)
    (root / "iam").mkdir()
    (root / "iam" / "projects.acme-data.json").write_text(json.dumps(POLICY))
    (root / "iam" / "notes.json").write_text('{"hello": "world"}')
    chart = root / "charts" / "api"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(CHART_YAML)
    (chart / "values.yaml").write_text("name: api-sa\n")
    (chart / "templates" / "sa.yaml").write_text(CHART_TEMPLATE)
    (root / "README.txt").write_text("not an input\n")
    return root


def test_a_directory_mixing_every_input_type(tmp_path: Path) -> None:
    """Manifests, an IAM policy and a chart in one tree all load; other JSON is a warning."""
    loaded, sources = load_static([_estate(tmp_path)], StaticOptions(cluster="prod"))
    kinds = {r.kind for r in loaded.resources}
    assert {"k8s.service", "k8s.service_account", "gcp.iam_binding", "gcp.iam_member"} <= kinds
    service_account = next(r for r in loaded.resources if r.kind == "k8s.service_account")
    assert service_account.data["name"] == "api-sa"  # rendered, not read as a raw template
    assert any("notes.json" in w and "skipped" in w for w in loaded.warnings)
    assert {s.type for s in sources} == {"manifests", "iam-policy", "helm"}
    assert all(s.up for s in sources)


def test_helm_values_and_set_reach_the_chart(tmp_path: Path) -> None:
    """--values files and --set overrides apply in order, like helm."""
    _estate(tmp_path)
    values = tmp_path / "prod.yaml"
    values.write_text("name: from-file\n")
    options = StaticOptions(values_files=(values,), set_values=("name=from-set",))
    loaded, _ = load_static([tmp_path / "charts" / "api"], options)
    [account] = [r for r in loaded.resources if r.kind == "k8s.service_account"]
    assert account.data["name"] == "from-set"


def test_snapshot_is_replayed(tmp_path: Path) -> None:
    """A snapshot file yields exactly the resources and source health it recorded."""
    loaded, sources = load_static([_estate(tmp_path / "estate")], StaticOptions())
    snapshot = tmp_path / "snap.json"
    write_snapshot(snapshot, Inventory(loaded.resources, sources), datetime.now(UTC))
    replayed, replayed_sources = load_static([snapshot], StaticOptions())
    assert [(r.kind, r.id, r.data, r.location) for r in replayed.resources] == [
        (r.kind, r.id, r.data, r.location) for r in loaded.resources
    ]
    assert [s.name for s in replayed_sources] == [s.name for s in sources]


def test_broken_snapshot_names_the_resource(tmp_path: Path) -> None:
    """A snapshot resource missing a field is an error naming its index and field."""
    path = tmp_path / "snap.json"
    path.write_text(
        json.dumps({"format": "auditor-snapshot", "version": 1, "resources": [{"kind": "x"}]})
    )
    with pytest.raises(InputError) as caught:
        load_static([path], StaticOptions())
    assert caught.value.one_line() == f"{path}: resources[0].id is missing"


def test_unsupported_file_is_an_error(tmp_path: Path) -> None:
    """A file given explicitly that no loader reads is an input error saying what is expected."""
    path = tmp_path / "policy.tf"
    path.write_text("")
    with pytest.raises(InputError, match="unsupported input"):
        load_static([path], StaticOptions())


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    """Invalid JSON is reported at its line."""
    path = tmp_path / "projects.p.json"
    path.write_text('{\n "bindings": [\n }')
    with pytest.raises(InputError) as caught:
        load_static([path], StaticOptions())
    assert caught.value.line == 3


def test_iam_scope_needs_a_single_policy_file(tmp_path: Path) -> None:
    """--iam-scope cannot be applied to several policy files at once."""
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text(json.dumps(POLICY))
    with pytest.raises(InputError, match="names the scope of one IAM policy file"):
        load_static([tmp_path], StaticOptions(iam_scope="projects/x"))


def test_policy_files_in_one_tree_share_their_hierarchy() -> None:
    """An organization's grants reach the projects below it when the files are scanned together."""
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "gcp"
    loaded, _ = load_static([fixtures], StaticOptions())
    inherited = [
        r
        for r in loaded.resources
        if r.kind == "gcp.iam_binding"
        and r.scope == "projects/acme-analytics"
        and r.data["inherited_from"] is not None
    ]
    assert inherited, "no binding inherited from the folder or organization"


def test_policy_file_with_byte_order_mark(tmp_path: Path) -> None:
    """A policy saved with a UTF-8 BOM (PowerShell redirection) still loads."""
    path = tmp_path / "projects.acme-data.json"
    path.write_bytes("\ufeff".encode() + json.dumps(POLICY).encode())
    loaded, _ = load_static([path], StaticOptions())
    assert any(r.kind == "gcp.iam_binding" for r in loaded.resources)


def test_date_like_values_stay_text_and_never_crash(tmp_path: Path) -> None:
    """`2026-13-01` in a manifest is text (as Kubernetes reads it), not a constructor crash."""
    path = tmp_path / "cm.yaml"
    path.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: etl}\n"
        "data:\n  rotate_after: 2026-13-01\n  created: 2026-11-26\n"
    )
    loaded, _ = load_static([path], StaticOptions())
    [configmap] = [r for r in loaded.resources if r.kind == "k8s.configmap"]
    assert configmap.data["data"] == {"rotate_after": "2026-13-01", "created": "2026-11-26"}
