"""IAM policy files (`gcloud projects|folders|organizations get-iam-policy --format=json`) read
into the same resources the live GCP collector produces, through one normaliser (auditor.gcp).

gcloud's output does not say whose policy it is, so the scope comes from, in order: the
`scope` argument; a top-level "name" or "resource" key; the file name (see SCOPE_FILE_NAMES).
Project labels (for PII) come from a sidecar `<stem>.labels.json` beside the policy
(`gcloud projects describe --format=json` output, whose `parent` also places the project in
the hierarchy, or a plain {"key": "value"} object), a top-level "labels" key, and the `labels`
argument; later sources override earlier keys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.gcp.iam import PolicySnapshot, normalise_policies
from auditor.gcp.policy import PolicyFormatError, dotted
from auditor.gcp.scopes import SCOPE_TYPES, is_valid_scope_id, parse_scope
from auditor.loaders.json_lines import JsonLocator
from auditor.loaders.result import LoadResult
from auditor.model import PiiLabel
from auditor.textfiles import read_input_text

# Suffixes after the scope in a file name, tried longest first; then `.json`.
_STEM_SUFFIXES = (".iam-policy", ".iam", ".policy")
_SCOPE_FILE_NAME = re.compile(r"^(?P<type>project|folder|organization)s?[._-](?P<id>.+)$")
SCOPE_FILE_NAMES = (
    "projects.PROJECT_ID.json, projects_PROJECT_ID.iam.json, project-PROJECT_ID.json, "
    "folders.NUMBER.json, organizations.NUMBER.json (optionally ending .iam.json, "
    ".iam-policy.json or .policy.json)"
)
_POLICY_KEYS = ("bindings", "etag", "version", "auditConfigs")
_DESCRIBE_KEYS = frozenset({"projectId", "projectNumber", "lifecycleState", "displayName"})


def looks_like_iam_policy(data: Any) -> bool:
    """True for JSON shaped like an allow policy: a `bindings` list, or an `etag` and `version`."""
    if not isinstance(data, Mapping):
        return False
    if isinstance(data.get("bindings"), list):
        return True
    return "etag" in data and "version" in data


def load_iam_policy(
    path: str | Path,
    *,
    scope: str | None = None,
    source: str = "iam-policy",
    labels: Mapping[str, str] | None = None,
    pii: PiiLabel | None = None,
) -> LoadResult:
    """The gcp.project, gcp.iam_binding and gcp.iam_member resources of one policy file.

    Every problem raises InputError naming the file and the line (and for a binding, its
    index and field). Resources carry the line of their member in the file.
    """
    policy_file = _read_policy_file(Path(path), scope, labels)
    if policy_file.parent:
        policy_file.snapshot = replace(policy_file.snapshot, ancestors=(policy_file.parent,))
    return _normalise([policy_file], source, pii)


def load_iam_policies(
    paths: Sequence[str | Path], *, source: str = "iam-policy", pii: PiiLabel | None = None
) -> LoadResult:
    """Several policy files normalised together, so the hierarchy counts as it does live.

    Where each scope sits comes from its sidecar's `parent` (`gcloud projects describe` and
    `gcloud resource-manager folders describe` print it): an organization's or folder's
    bindings, roles and audit configs then reach the projects below it in the same set.
    """
    files = [_read_policy_file(Path(path), None, None) for path in paths]
    parents = {f.snapshot.scope: f.parent for f in files if f.parent}
    for policy_file in files:
        ancestors = _ancestry(policy_file.snapshot.scope, parents)
        policy_file.snapshot = replace(policy_file.snapshot, ancestors=ancestors)
    return _normalise(files, source, pii)


@dataclass(slots=True)
class _PolicyFile:
    """One policy file read and located, ready for the normaliser."""

    display: str
    locator: JsonLocator
    snapshot: PolicySnapshot
    parent: str | None


def _read_policy_file(
    file: Path, scope: str | None, labels: Mapping[str, str] | None
) -> _PolicyFile:
    display = str(file)
    text = read_input_text(file)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg} (column {exc.colno})", path=display, line=exc.lineno
        ) from None
    if not isinstance(data, Mapping) or not any(key in data for key in _POLICY_KEYS):
        raise InputError(
            "not an IAM policy: expected the JSON object `gcloud ... get-iam-policy "
            "--format=json` prints, with bindings, etag and version",
            path=display,
            line=1,
        )
    locator = JsonLocator(text, display)
    sidecar = _read_sidecar(labels_sidecar(file))
    merged_labels = dict(sidecar.labels)
    if "labels" in data:
        merged_labels.update(_label_map(data["labels"], display, locator.line_of(("labels",))))
    merged_labels.update(labels or {})
    snapshot = PolicySnapshot(
        scope=_resolve_scope(file, data, scope, locator),
        policy=data,
        labels=merged_labels,
        locate=locator.locate,
    )
    return _PolicyFile(display, locator, snapshot, sidecar.parent)


def _ancestry(scope: str, parents: Mapping[str, str]) -> tuple[str, ...]:
    """The chain of parents above `scope`, nearest first (a cycle in bad input stops it)."""
    chain: list[str] = []
    current = parents.get(scope)
    while current and current not in chain and current != scope:
        chain.append(current)
        current = parents.get(current)
    return tuple(chain)


def _normalise(files: Sequence[_PolicyFile], source: str, pii: PiiLabel | None) -> LoadResult:
    try:
        normalised = normalise_policies([f.snapshot for f in files], source=source, pii=pii)
    except PolicyFormatError as exc:
        culprit = next(f for f in reversed(files) if f.snapshot.scope == exc.scope)
        raise InputError(
            f"{dotted(exc.path)}: {exc.detail}",
            path=culprit.display,
            line=culprit.locator.line_of(exc.path),
        ) from None
    return LoadResult(resources=normalised.resources, warnings=normalised.warnings)


def scope_from_file_name(file: Path) -> str | None:
    """'projects.prod-data.json' → 'projects/prod-data'; None when the name says no scope."""
    if not file.name.endswith(".json"):
        return None
    match = _SCOPE_FILE_NAME.match(_stem(file))
    if not match:
        return None
    scope_type, scope_id = match["type"], match["id"]
    if not is_valid_scope_id(scope_type, scope_id):
        return None
    collection = next(plural for plural, single in SCOPE_TYPES.items() if single == scope_type)
    return f"{collection}/{scope_id}"


def _resolve_scope(
    file: Path, data: Mapping[str, Any], given: str | None, locator: JsonLocator
) -> str:
    display = str(file)
    if given is not None:
        try:
            return parse_scope(given).name
        except ValueError as exc:
            raise InputError(f"--iam-scope: {exc}", path=display) from None
    for key in ("name", "resource"):
        named = data.get(key)
        if isinstance(named, str):
            try:
                return parse_scope(named).name
            except ValueError as exc:
                raise InputError(
                    f"{key}: {exc}", path=display, line=locator.line_of((key,))
                ) from None
    from_name = scope_from_file_name(file)
    if from_name is None:
        raise InputError(
            "cannot tell whose IAM policy this is: name the file after its scope "
            f'({SCOPE_FILE_NAMES}), add a top-level "name": "projects/PROJECT_ID", '
            "or pass --iam-scope",
            path=display,
            line=1,
        )
    return from_name


def labels_sidecar(file: Path) -> Path:
    """Where the labels of a policy file live: `<stem>.labels.json` beside it."""
    return file.with_name(f"{_stem(file)}.labels.json")


def _stem(file: Path) -> str:
    """The file name without `.json` and without one of _STEM_SUFFIXES."""
    stem = file.name.removesuffix(".json")
    for suffix in _STEM_SUFFIXES:
        if stem.endswith(suffix):
            return stem.removesuffix(suffix)
    return stem


@dataclass(frozen=True, slots=True)
class _Sidecar:
    labels: Mapping[str, str] = field(default_factory=dict)
    parent: str | None = None


def _read_sidecar(sidecar: Path) -> _Sidecar:
    """Labels and parent from `<stem>.labels.json`, when it exists."""
    if not sidecar.is_file():
        return _Sidecar()
    display = str(sidecar)
    try:
        data = json.loads(read_input_text(sidecar))
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", path=display, line=exc.lineno) from None
    if not isinstance(data, Mapping):
        raise InputError("a labels file is a JSON object", path=display, line=1)
    # `gcloud projects|resource-manager folders describe --format=json` output nests labels
    # under "labels" and says where the scope sits in "parent". Its camelCase keys cannot be
    # label keys (those are lower case), so a bare {"key": "value"} map is told apart.
    if isinstance(data.get("labels"), Mapping) or not _DESCRIBE_KEYS.isdisjoint(data):
        return _Sidecar(
            labels=_label_map(data.get("labels", {}), display, 1),
            parent=_parent_scope(data.get("parent")),
        )
    return _Sidecar(labels=_label_map(data, display, 1))


def _parent_scope(parent: Any) -> str | None:
    """'organizations/1' (folders describe) or {"type": "folder", "id": "2"} (projects describe)."""
    if isinstance(parent, Mapping):
        kind, number = parent.get("type"), parent.get("id")
        parent = f"{kind}s/{number}" if isinstance(kind, str) and isinstance(number, str) else None
    if not isinstance(parent, str):
        return None
    try:
        return parse_scope(parent).name
    except ValueError:
        return None


def _label_map(value: Any, display: str, line: int) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise InputError(
            'labels must be an object of string values, e.g. {"data-classification": "pii"}',
            path=display,
            line=line,
        )
    return dict(value)
