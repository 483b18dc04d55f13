"""A Helm chart directory rendered offline (helm-python-sdk, no cluster) and read as manifests.

Each resource points at the template that produced it. Rendered output carries no line map,
so the line is that of the template's document declaring the same `kind:` (line 1 when the
kind itself is templated).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.k8s import DEFAULT_PII, RawObject, normalize
from auditor.loaders.manifests import raw_objects
from auditor.loaders.result import LoadResult
from auditor.loaders.yaml_lines import read_documents
from auditor.model import Location, PiiLabel

# helm names the failing template as 'template: chart/templates/x.yaml:12:3' or, for `fail`
# and `required`, 'execution error at (chart/templates/x.yaml:12:3)'.
_TEMPLATE_ERROR = re.compile(r"(?:template: |at \()(?P<template>[^:\s()]+):(?P<line>\d+)")
_TEST_HOOKS = frozenset({"test", "test-success", "test-failure"})


def is_chart_dir(path: str | Path) -> bool:
    """True for a directory holding a Chart.yaml."""
    directory = Path(path)
    return directory.is_dir() and (directory / "Chart.yaml").is_file()


def load_chart(
    chart_dir: str | Path,
    *,
    values_files: Sequence[str | Path] = (),
    set_values: Sequence[str] = (),
    release_name: str = "release",
    namespace: str = "default",
    cluster: str = "manifests",
    source: str = "helm",
    pii: PiiLabel = DEFAULT_PII,
) -> LoadResult:
    """Render a chart like `helm template` and normalise what it produces.

    Values files merge in order, then each `--set` expression, as helm does. Objects without a
    namespace land in the release `namespace`. Helm test hooks are skipped with a warning.
    Load and render failures raise InputError naming the chart (and the template and line
    when helm says which). `pii` is the label that marks namespaces and objects as holding
    personal data.
    """
    chart_path = Path(chart_dir)
    if not is_chart_dir(chart_path):
        raise InputError("not a Helm chart directory (no Chart.yaml)", path=str(chart_path))
    values: dict[str, Any] = {}
    for values_file in values_files:
        _merge(values, _read_values(Path(values_file)))
    for expression in set_values:
        _merge(values, _parse_set(expression))
    rendered = _render(chart_path, values, release_name, namespace)
    objects: list[RawObject] = []
    warnings: list[str] = []
    for template in sorted(rendered):
        if not template.endswith((".yaml", ".yml")) or not rendered[template].strip():
            continue  # NOTES.txt, and templates switched off by their values
        template_file = _template_file(chart_path, template)
        display = str(template_file)
        objects.extend(_template_objects(rendered[template], display, template_file, warnings))
    normalised = normalize(
        objects, cluster=cluster, source=source, default_namespace=namespace, pii=pii
    )
    return LoadResult(normalised.resources, warnings + normalised.warnings)


def _template_objects(
    rendered: str, display: str, template_file: Path, warnings: list[str]
) -> list[RawObject]:
    """The objects of one rendered template, located at their template lines."""
    try:
        documents = read_documents(rendered, display)
    except InputError as error:
        raise InputError(
            f"rendered output is not valid YAML: {error.detail}", path=display
        ) from None
    source = _template_source(template_file)
    seen_kinds: dict[str, int] = {}
    objects: list[RawObject] = []
    for document in documents:
        for raw in raw_objects(document, display, warnings):
            if _is_test_hook(raw.body):
                name = raw.body.get("metadata", {}).get("name")
                warnings.append(f"{display}:{document.line}: skipped: Helm test hook {name}")
                continue
            kind = str(raw.body.get("kind", ""))
            occurrence = seen_kinds.get(kind, 0)
            seen_kinds[kind] = occurrence + 1
            line = template_line(source, kind, occurrence)
            objects.append(RawObject(raw.body, Location(display, line)))
    return objects


def template_line(source: str, kind: str, occurrence: int) -> int:
    """The line of the template document declaring `kind:` for the n-th object of that kind.

    Returns the first line of that document that is neither blank, a comment nor a template
    action, or 1 when the template does not spell the kind out.
    """
    lines = source.splitlines()
    pattern = re.compile(rf"^kind:\s*['\"]?{re.escape(kind)}['\"]?\s*(#.*)?$")
    hits = [i for i, text in enumerate(lines) if pattern.match(text)]
    if not kind or not hits:
        return 1
    index = hits[min(occurrence, len(hits) - 1)]
    start = index
    while start > 0 and not lines[start - 1].startswith("---"):
        start -= 1
    for i in range(start, index + 1):
        text = lines[i].strip()
        if text and not text.startswith(("#", "{{")):
            return i + 1
    return index + 1


def _is_test_hook(body: Mapping[str, Any]) -> bool:
    metadata = body.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    hooks = annotations.get("helm.sh/hook") if isinstance(annotations, Mapping) else None
    return isinstance(hooks, str) and bool(_TEST_HOOKS & {h.strip() for h in hooks.split(",")})


def _template_file(chart_path: Path, template: str) -> Path:
    # helm names templates '<chart name>/templates/x.yaml'; the chart name need not be the dir.
    _, _, inside = template.partition("/")
    return chart_path / inside


def _template_source(template_file: Path) -> str:
    try:
        return template_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""  # a subchart packed as .tgz: lines fall back to 1


def _render(
    chart_path: Path, values: dict[str, Any], release_name: str, namespace: str
) -> dict[str, str]:
    import helm_python  # Helm's Go library is ~55 MiB: load it only for charts

    try:
        with helm_python.Chart.load(chart_path) as chart:
            rendered: dict[str, str] = chart.render(
                values, name=release_name, namespace=namespace, is_install=True
            )
    except helm_python.HelmChartLoadError as error:
        raise InputError(f"cannot load Helm chart: {error.detail}", path=str(chart_path)) from None
    except helm_python.HelmError as error:
        raise _render_error(chart_path, str(error.detail)) from None
    return rendered


def _render_error(chart_path: Path, detail: str) -> InputError:
    match = _TEMPLATE_ERROR.search(detail)
    if match is None:
        return InputError(f"Helm chart failed to render: {detail}", path=str(chart_path))
    template_file = _template_file(chart_path, match["template"])
    return InputError(
        f"Helm chart {chart_path} failed to render: {detail}",
        path=str(template_file),
        line=int(match["line"]),
    )


def _read_values(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(
            f"cannot read values file: {error.strerror or error}", path=str(path)
        ) from None
    except UnicodeDecodeError:
        raise InputError("values file is not UTF-8 text", path=str(path)) from None
    documents = read_documents(text, str(path))
    if not documents:
        return {}
    value = documents[0].value
    if not isinstance(value, dict):
        raise InputError(
            "a values file must be a YAML mapping", path=str(path), line=documents[0].line
        )
    return value


def _parse_set(expression: str) -> dict[str, Any]:
    import helm_python  # lazily, see _render

    try:
        return helm_python.parse_set_string(expression)
    except helm_python.HelmError:
        # The value may be a secret, so only the key is repeated back.
        key = expression.split("=", 1)[0]
        raise InputError(
            f"--set {key}=...: not a valid Helm --set expression (key=value)"
        ) from None


def _merge(base: dict[str, Any], overlay: Mapping[str, Any]) -> None:
    # Helm's mergeMaps: nested maps merge, anything else is replaced by the later value.
    for key, value in overlay.items():
        current = base.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            _merge(current, value)
        else:
            base[key] = value
