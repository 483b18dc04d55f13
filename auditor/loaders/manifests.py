"""Kubernetes manifests on disk (files, directories, multi-document YAML, `kind: List`)
read into resources through the one Kubernetes normaliser.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from auditor.errors import InputError
from auditor.k8s import DEFAULT_PII, RawObject, normalize
from auditor.k8s.objects import is_list
from auditor.loaders.result import LoadResult
from auditor.loaders.yaml_lines import YamlDocument, read_documents
from auditor.model import Location, PiiLabel
from auditor.textfiles import read_input_text

MANIFEST_SUFFIXES = (".yaml", ".yml")


def load_manifests(
    paths: Sequence[str | Path],
    *,
    cluster: str = "manifests",
    source: str = "manifests",
    pii: PiiLabel = DEFAULT_PII,
) -> LoadResult:
    """Resources from every manifest under `paths`, with warnings for documents skipped.

    Directories are walked recursively for *.yaml and *.yml (hidden entries ignored) in sorted
    order, so the output is stable. A YAML syntax error raises InputError at its file and line.
    `pii` is the label that marks namespaces and objects as holding personal data.
    """
    objects: list[RawObject] = []
    warnings: list[str] = []
    for path in manifest_files(paths):
        display = str(path)
        for document in read_documents(read_input_text(path), display):
            objects.extend(raw_objects(document, display, warnings))
    normalised = normalize(objects, cluster=cluster, source=source, pii=pii)
    return LoadResult(normalised.resources, warnings + normalised.warnings)


def manifest_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files to read: each file as given, each directory's manifests recursively."""
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.suffix in MANIFEST_SUFFIXES
                    and p.is_file()
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            raise InputError("no such file or directory", path=str(path))
    return files


def raw_objects(document: YamlDocument, file: str, warnings: list[str]) -> list[RawObject]:
    """The objects of one YAML document: itself, or each item of a List at the item's line."""
    value = document.value
    if not isinstance(value, dict):
        shape = "sequence" if isinstance(value, list) else "scalar"
        warnings.append(
            f"{file}:{document.line}: skipped: not a Kubernetes object (a YAML {shape})"
        )
        return []
    if is_list(value) and len(document.item_lines) == len(value["items"]):
        return [
            RawObject(item if isinstance(item, dict) else {}, Location(file, line))
            for item, line in zip(value["items"], document.item_lines, strict=True)
        ]
    return [RawObject(value, Location(file, document.line))]
