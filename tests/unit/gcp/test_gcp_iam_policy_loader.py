"""Reading IAM policy files: scope, labels, locations and located errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from auditor.errors import InputError
from auditor.loaders.iam_policy import (
    load_iam_policies,
    load_iam_policy,
    looks_like_iam_policy,
    scope_from_file_name,
)
from auditor.model import PiiLabel
from auditor.paths import demo_dir

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "gcp"
POLICY = FIXTURES / "projects.acme-analytics.iam.json"
ORG_POLICY = FIXTURES / "organizations.123456789012.json"
FOLDER_POLICY = FIXTURES / "folders.987654321098.json"
SMALL = {"bindings": [{"role": "roles/viewer", "members": ["group:g@acme.example"]}]}


def write(tmp_path: Path, name: str, data: Any) -> Path:
    """Write `data` as gcloud would (indented JSON) to tmp_path/name."""
    path = tmp_path / name
    text = data if isinstance(data, str) else json.dumps(data, indent=2)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "scope"),
    [
        ("projects.prod-data.json", "projects/prod-data"),
        ("projects_prod-data.iam.json", "projects/prod-data"),
        ("project-prod-data.json", "projects/prod-data"),
        ("projects.prod-data.iam-policy.json", "projects/prod-data"),
        ("projects.prod-data.policy.json", "projects/prod-data"),
        ("projects.204517663901.json", "projects/204517663901"),
        ("folders.123.json", "folders/123"),
        ("folder-123.iam.json", "folders/123"),
        ("organizations.456.json", "organizations/456"),
        ("organization_456.json", "organizations/456"),
    ],
)
def test_scope_from_file_name(name: str, scope: str) -> None:
    """The documented file-name patterns name the policy's scope."""
    assert scope_from_file_name(Path(name)) == scope


@pytest.mark.parametrize(
    "name",
    ["policy.json", "prod-data.json", "folders.abc.json", "projects.ab.json", "projects.x.yaml"],
)
def test_names_without_a_scope(name: str) -> None:
    """Names that fit no pattern, or carry an invalid id, give no scope."""
    assert scope_from_file_name(Path(name)) is None


def test_fixture_loads_with_scope_labels_and_kinds() -> None:
    """A gcloud policy file yields a project, bindings and members with sidecar labels."""
    result = load_iam_policy(POLICY)
    kinds = {r.kind for r in result.resources}
    assert kinds == {"gcp.project", "gcp.iam_binding", "gcp.iam_member"}
    assert {r.scope for r in result.resources} == {"projects/acme-analytics"}
    assert {r.source for r in result.resources} == {"iam-policy"}
    [project] = [r for r in result.resources if r.kind == "gcp.project"]
    assert project.data["labels"] == {"data-classification": "pii", "env": "prod"}
    assert project.data["pii"] is True
    assert result.warnings == []


def test_binding_locations_point_at_the_member_line() -> None:
    """Each binding's location is its member's line in the file, for SARIF."""
    lines = POLICY.read_text(encoding="utf-8").splitlines()
    for resource in load_iam_policy(POLICY).resources:
        if resource.kind != "gcp.iam_binding":
            continue
        assert resource.location is not None
        assert resource.location.file == str(POLICY)
        assert json.dumps(resource.data["member"]) in lines[resource.location.line - 1]


def test_members_located_even_in_a_one_line_file(tmp_path: Path) -> None:
    """Compact JSON still locates every resource, on line 1."""
    path = write(tmp_path, "projects.prod-data.json", json.dumps(SMALL))
    resources = load_iam_policy(path).resources
    assert {r.location.line for r in resources if r.location} == {1}


def test_scope_argument_wins_over_the_file_name(tmp_path: Path) -> None:
    """An explicit scope overrides what the file name says."""
    path = write(tmp_path, "projects.prod-data.json", SMALL)
    resources = load_iam_policy(path, scope="folders/77").resources
    assert {r.scope for r in resources} == {"folders/77"}


@pytest.mark.parametrize("key", ["name", "resource"])
def test_scope_from_a_top_level_key(tmp_path: Path, key: str) -> None:
    """Exporters that add "name" or "resource" name the scope for any file name."""
    path = write(
        tmp_path, "policy.json", {**SMALL, key: "//cloudresourcemanager.googleapis.com/folders/12"}
    )
    assert {r.scope for r in load_iam_policy(path).resources} == {"folders/12"}


def test_file_without_a_scope_says_how_to_name_it(tmp_path: Path) -> None:
    """A policy whose scope cannot be told is an error naming the file and the patterns."""
    path = write(tmp_path, "policy.json", SMALL)
    with pytest.raises(InputError) as caught:
        load_iam_policy(path)
    assert caught.value.path == str(path)
    assert "projects.PROJECT_ID.json" in caught.value.detail
    assert "--iam-scope" in caught.value.detail


def test_bad_scope_argument_is_an_input_error(tmp_path: Path) -> None:
    """A malformed --iam-scope names the accepted forms."""
    path = write(tmp_path, "projects.prod-data.json", SMALL)
    with pytest.raises(InputError, match="projects/PROJECT_ID"):
        load_iam_policy(path, scope="prod-data")


def test_bad_name_key_is_located(tmp_path: Path) -> None:
    """A "name" that is not a scope is an error at its line."""
    path = write(tmp_path, "projects.prod-data.json", {**SMALL, "name": "prod data"})
    with pytest.raises(InputError) as caught:
        load_iam_policy(path)
    assert caught.value.line == line_of(path, '"name"')
    assert caught.value.detail.startswith("name:")


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    """A JSON syntax error is reported at its line."""
    path = write(
        tmp_path, "projects.prod-data.json", '{\n  "bindings": [\n    {"role": }\n  ]\n}\n'
    )
    with pytest.raises(InputError) as caught:
        load_iam_policy(path)
    assert (caught.value.path, caught.value.line) == (str(path), 3)
    assert "invalid JSON" in caught.value.detail


def test_json_that_is_not_a_policy(tmp_path: Path) -> None:
    """A JSON document without policy keys is rejected at line 1."""
    path = write(tmp_path, "projects.prod-data.json", ["roles/viewer"])
    with pytest.raises(InputError, match="not an IAM policy") as caught:
        load_iam_policy(path)
    assert caught.value.line == 1


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    """A file that cannot be read names itself."""
    with pytest.raises(InputError, match="cannot read"):
        load_iam_policy(tmp_path / "projects.gone.json")


GOOD_BINDING = '    {"members": ["group:g@acme.example"], "role": "roles/viewer"},\n'


@pytest.mark.parametrize(
    ("bad_binding", "line", "message"),
    [
        (
            '    {\n      "members": ["allUsers"]\n    }\n',
            4,
            "bindings[1]: binding has no role",
        ),
        (
            '    {\n      "role": "roles/viewer"\n    }\n',
            4,
            "bindings[1]: binding has no members",
        ),
        (
            '    {\n      "members": "allUsers",\n      "role": "roles/viewer"\n    }\n',
            5,
            "bindings[1].members: members must be a list",
        ),
        (
            '    {\n      "members": [\n        "allUsers",\n        "usr:x@y.example"\n'
            '      ],\n      "role": "roles/viewer"\n    }\n',
            7,
            "bindings[1].members[1]: unknown member prefix 'usr'",
        ),
        (
            '    {\n      "members": ["allUsers"],\n      "role": "viewer"\n    }\n',
            6,
            "bindings[1].role: role 'viewer' is not one of",
        ),
    ],
)
def test_binding_errors_name_file_binding_field_and_line(
    tmp_path: Path, bad_binding: str, line: int, message: str
) -> None:
    """Malformed bindings raise at the line of the offending field, naming index and field."""
    text = '{\n  "bindings": [\n' + GOOD_BINDING + bad_binding + '  ],\n  "version": 3\n}\n'
    path = write(tmp_path, "projects.prod-data.json", text)
    with pytest.raises(InputError) as caught:
        load_iam_policy(path)
    assert (caught.value.path, caught.value.line) == (str(path), line)
    assert caught.value.detail.startswith(message)


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the first line of `path` containing `needle`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, text in enumerate(lines, 1) if needle in text)


def test_withcond_warning_names_file_and_line(tmp_path: Path) -> None:
    """Warnings carry file:line of the binding's role."""
    path = write(
        tmp_path,
        "projects.prod-data.json",
        {
            "version": 1,
            "bindings": [{"role": "roles/editor_withcond_1a2b", "members": ["allUsers"]}],
        },
    )
    [warning] = load_iam_policy(path).warnings
    assert warning.startswith(f"{path}:5: role roles/editor_withcond_1a2b")


def test_labels_sidecar_key_and_argument_combine(tmp_path: Path) -> None:
    """Sidecar labels, a "labels" key and the argument apply in that order, key by key."""
    write(tmp_path, "projects.prod-data.labels.json", {"team": "data", "env": "prod"})
    path = write(tmp_path, "projects.prod-data.iam.json", {**SMALL, "labels": {"env": "staging"}})
    result = load_iam_policy(path, labels={"data-classification": "pii"})
    [project] = [r for r in result.resources if r.kind == "gcp.project"]
    assert project.data["labels"] == {
        "data-classification": "pii",
        "env": "staging",
        "team": "data",
    }
    assert project.data["pii"] is True


def test_configured_pii_label(tmp_path: Path) -> None:
    """The PII label and values come from configuration."""
    path = write(tmp_path, "projects.prod-data.json", {**SMALL, "labels": {"sensitivity": "high"}})
    pii = PiiLabel(key="sensitivity", values=("high",))
    assert all(r.data["pii"] for r in load_iam_policy(path, pii=pii).resources)


@pytest.mark.parametrize("labels", [["pii"], {"data-classification": 1}])
def test_bad_labels_are_input_errors(tmp_path: Path, labels: Any) -> None:
    """Labels that are not a map of strings are rejected at their line."""
    path = write(tmp_path, "projects.prod-data.json", {**SMALL, "labels": labels})
    with pytest.raises(InputError, match="labels must be an object") as caught:
        load_iam_policy(path)
    assert caught.value.line == line_of(path, '"labels"')


def test_broken_sidecar_is_an_input_error(tmp_path: Path) -> None:
    """A sidecar that is not JSON is reported at its own file and line."""
    sidecar = write(tmp_path, "projects.prod-data.labels.json", '{\n  "env": prod\n}\n')
    path = write(tmp_path, "projects.prod-data.json", SMALL)
    with pytest.raises(InputError) as caught:
        load_iam_policy(path)
    assert (caught.value.path, caught.value.line) == (str(sidecar), 2)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"bindings": [], "etag": "ACAB"}, True),
        ({"etag": "ACAB", "version": 1}, True),
        ({"bindings": {}}, False),
        ({"etag": "ACAB"}, False),
        ({"kind": "Inventory"}, False),
        ([], False),
    ],
)
def test_looks_like_iam_policy(data: Any, expected: bool) -> None:
    """Sniffing: a bindings list, or an etag with a version."""
    assert looks_like_iam_policy(data) is expected


def test_demo_estate_loads(tmp_path: Path) -> None:
    """The demo estate's policies load, label prod as PII and not staging."""
    estate = demo_dir() / "estate" / "gcp"
    prod = load_iam_policy(estate / "projects.acme-data-prod.json")
    staging = load_iam_policy(estate / "projects.acme-data-staging.json")
    assert prod.warnings == staging.warnings == []
    [prod_project] = [r for r in prod.resources if r.kind == "gcp.project"]
    [staging_project] = [r for r in staging.resources if r.kind == "gcp.project"]
    assert prod_project.data["pii"] and prod_project.data["data_access_logs_enabled"]
    assert not staging_project.data["pii"]
    assert not staging_project.data["data_access_logs_enabled"]
    config_editor = [
        r
        for r in prod.resources
        if r.kind == "gcp.iam_binding" and r.data["role"] == "roles/accessapproval.configEditor"
    ]
    assert config_editor and not any(r.data["is_admin_role"] for r in config_editor)
    # Copied elsewhere, the sidecar still follows its policy.
    shutil.copy(estate / "projects.acme-data-prod.json", tmp_path / "projects.acme-data-prod.json")
    copied = load_iam_policy(tmp_path / "projects.acme-data-prod.json")
    assert not any(r.data["pii"] for r in copied.resources)


def test_describe_sidecar_places_the_project_under_its_parent() -> None:
    """The `parent` of `gcloud projects describe` output becomes the project's ancestor."""
    [project] = [r for r in load_iam_policy(POLICY).resources if r.kind == "gcp.project"]
    assert project.data["ancestors"] == ["folders/987654321098"]


def test_bare_label_map_with_a_parent_label_is_labels(tmp_path: Path) -> None:
    """A plain labels object is labels, even with a label key named like a describe field."""
    write(tmp_path, "projects.prod-data.labels.json", {"parent": "team-a", "env": "prod"})
    path = write(tmp_path, "projects.prod-data.json", SMALL)
    [project] = [r for r in load_iam_policy(path).resources if r.kind == "gcp.project"]
    assert project.data["labels"] == {"parent": "team-a", "env": "prod"}
    assert project.data["ancestors"] == []


def test_policies_loaded_together_follow_the_hierarchy() -> None:
    """Organization, folder and project files loaded together share cross-scope facts."""
    result = load_iam_policies([ORG_POLICY, FOLDER_POLICY, POLICY])
    [project] = [r for r in result.resources if r.kind == "gcp.project"]
    assert project.data["ancestors"] == ["folders/987654321098", "organizations/123456789012"]
    assert project.data["data_access_logs_enabled"] is True
    inherited = [
        r
        for r in result.resources
        if r.kind == "gcp.iam_binding"
        and r.data["inherited_from"] == "organizations/123456789012"
        and r.scope == "projects/acme-analytics"
    ]
    assert {r.data["member"] for r in inherited} >= {"allAuthenticatedUsers"}
    # An inherited copy points at the line that grants it, in the organization's file.
    assert all(r.location and r.location.file == str(ORG_POLICY) for r in inherited)
    [data_eng] = [
        r for r in result.resources if r.id == "projects/acme-analytics/group:data-eng@acme.example"
    ]
    assert "roles/iam.serviceAccountAdmin" in data_eng.data["roles_anywhere"]


def test_error_in_one_of_several_files_names_that_file(tmp_path: Path) -> None:
    """When policies are loaded together, a malformed one is reported at its own file."""
    bad = write(
        tmp_path,
        "projects.prod-data.json",
        {"bindings": [{"role": "roles/viewer", "members": ["usr:x@acme.example"]}]},
    )
    with pytest.raises(InputError) as caught:
        load_iam_policies([ORG_POLICY, bad])
    assert caught.value.path == str(bad)
    assert caught.value.line == line_of(bad, "usr:x")


def test_the_same_scope_twice_is_an_error(tmp_path: Path) -> None:
    """Two files for one scope are rejected, naming the second."""
    first = write(tmp_path, "projects.prod-data.json", SMALL)
    second = write(tmp_path, "project-prod-data.iam.json", SMALL)
    with pytest.raises(InputError, match="two policies for projects/prod-data") as caught:
        load_iam_policies([first, second])
    assert caught.value.path == str(second)
