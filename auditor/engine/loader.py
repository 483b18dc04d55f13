"""Reading rule files, in three stages: structure, schema, semantics.

Each stage's errors name the file and line; a file stops at the first stage it fails, and every
file is checked so that one run lists every problem.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from auditor.engine.expressions import (
    Expression,
    ExpressionError,
    compile_expression,
    compile_template,
    conversion_problem,
)
from auditor.engine.rule import Escalation, Rule
from auditor.engine.spec import RuleSpec
from auditor.errors import InputError, RuleError
from auditor.yaml_lines import LocatedDocument, PathKey, read_located

REQUIRED_FIELDS = ("id", "title", "severity", "category", "resource", "when", "message")
KNOWN_FIELDS = frozenset(RuleSpec.model_fields) | {"pass"}
_FIELD_NAMES = sorted(f for f in RuleSpec.model_fields if f != "pass_")


@dataclass(slots=True)
class RuleLoad:
    """The rules that loaded and the problems of those that did not."""

    rules: list[Rule] = field(default_factory=list)
    problems: list[RuleError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every file loaded."""
        return not self.problems


def rule_files(paths: Iterable[Path]) -> list[Path]:
    """Every rule file under `paths` (files as given, directories recursively), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in path.rglob("*")
                if p.suffix in (".yaml", ".yml") and p.is_file() and not p.name.startswith(".")
            )
        elif path.exists():
            found.append(path)
        else:
            raise InputError("no such file or directory", path=str(path))
    return sorted(found)


def load_rules(paths: Sequence[Path]) -> RuleLoad:
    """Load and validate every rule file under `paths`; duplicate ids are problems too."""
    result = RuleLoad()
    seen: dict[str, Path] = {}
    for path in rule_files(paths):
        try:
            rule = load_rule_file(path)
        except RuleError as problem:
            result.problems.append(problem)
            continue
        if rule.id in seen:
            result.problems.append(
                RuleError(f"duplicate rule id {rule.id!r}; also in {seen[rule.id]}", path=str(path))
            )
            continue
        seen[rule.id] = path
        result.rules.append(rule)
    return result


def load_rule_file(path: Path) -> Rule:
    """One rule file through all three stages; raises RuleError with file and line."""
    try:
        document = read_located(path)
    except InputError as exc:
        raise RuleError(exc.detail, path=str(path), line=exc.line) from None
    _check_structure(document, path)
    spec = _check_schema(document, path)
    return _check_semantics(spec, document, path)


def _check_structure(document: LocatedDocument, path: Path) -> None:
    data = document.data
    if data is None:
        raise RuleError("the file is empty; a rule is a mapping of fields", path=str(path))
    if not isinstance(data, dict):
        raise RuleError(
            f"a rule is a mapping of fields (id, title, when …), not a {_yaml_type(data)}",
            path=str(path),
            line=1,
        )
    for key in data:
        if key not in KNOWN_FIELDS:
            hint = difflib.get_close_matches(str(key), _FIELD_NAMES, n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            raise RuleError(
                f"unknown field {key!r}{suggestion}", path=str(path), line=document.line_of((key,))
            )
    missing = [name for name in REQUIRED_FIELDS if name not in data]
    if missing:
        raise RuleError(
            f"missing required field{'s' if len(missing) > 1 else ''}: {', '.join(missing)}",
            path=str(path),
            line=1,
        )


def _yaml_type(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(
        type(value), type(value).__name__
    )


def _check_schema(document: LocatedDocument, path: Path) -> RuleSpec:
    try:
        return RuleSpec.model_validate(document.data)
    except ValidationError as exc:
        error = exc.errors()[0]
        location: PathKey = tuple(error["loc"])
        dotted = ".".join(str(part) for part in location) or "(rule)"
        raise RuleError(
            f"field {dotted}: {error['msg']}",
            path=str(path),
            line=document.line_of(location),
        ) from None


def _check_semantics(spec: RuleSpec, document: LocatedDocument, path: Path) -> Rule:
    if spec.id != path.stem:
        raise RuleError(
            f"rule id {spec.id!r} must equal the file name {path.stem!r}",
            path=str(path),
            line=document.line_of(("id",)),
        )
    declared = frozenset(spec.params)

    def compiled(source: str, where: PathKey) -> Expression:
        try:
            return compile_expression(source, rule_id=spec.id, declared_params=declared)
        except ExpressionError as exc:
            raise RuleError(
                f"{'.'.join(map(str, where))}: {exc}", path=str(path), line=document.line_of(where)
            ) from None

    when = compiled(spec.when, ("when",))
    try:
        message = compile_template(spec.message, rule_id=spec.id, declared_params=declared)
    except ExpressionError as exc:
        raise RuleError(
            f"message: {exc}", path=str(path), line=document.line_of(("message",))
        ) from None
    evidence = tuple(
        (name, compiled(source, ("evidence", name))) for name, source in spec.evidence.items()
    )
    escalations = []
    for index, escalation in enumerate(spec.escalations):
        where: PathKey = ("escalations", index)
        if not escalation.severity.rank > spec.severity.rank:
            raise RuleError(
                f"escalations[{index}].severity {escalation.severity.value} must be above the "
                f"rule's severity {spec.severity.value}",
                path=str(path),
                line=document.line_of((*where, "severity")),
            )
        escalations.append(
            Escalation(
                when=compiled(escalation.when, (*where, "when")),
                severity=escalation.severity,
                reason=escalation.reason.strip(),
            )
        )
    _check_references(spec, document, path)
    _check_case_params(spec, document, path)
    params = {name: param.default for name, param in spec.params.items()}
    return Rule(
        spec=spec,
        path=path,
        when=when,
        message=message,
        evidence=evidence,
        params=params,
        escalations=tuple(escalations),
    )


def _check_references(spec: RuleSpec, document: LocatedDocument, path: Path) -> None:
    for index, reference in enumerate(spec.references):
        where: PathKey = ("references", index)
        if reference.url and not reference.url.startswith("https://"):
            raise RuleError(
                f"references[{index}].url must be an https:// address",
                path=str(path),
                line=document.line_of((*where, "url")),
            )
        if reference.benchmark and not (reference.version and reference.item):
            raise RuleError(
                f"references[{index}]: a benchmark reference needs its version and item "
                "(CIS numbering changes between versions)",
                path=str(path),
                line=document.line_of(where),
            )


def _check_case_params(spec: RuleSpec, document: LocatedDocument, path: Path) -> None:
    for name, param in spec.params.items():
        _check_convertible(param.default, ("params", name, "default"), document, path)
    for outcome, cases in (("pass", spec.cases.pass_), ("fail", spec.cases.fail)):
        for index, case in enumerate(cases):
            _check_convertible(case.resource, ("cases", outcome, index, "resource"), document, path)
            _check_convertible(case.params, ("cases", outcome, index, "params"), document, path)
            unknown = sorted(set(case.params) - set(spec.params))
            if unknown:
                raise RuleError(
                    f"cases.{outcome}[{index}] ({case.name}): unknown param {unknown[0]!r}",
                    path=str(path),
                    line=document.line_of(("cases", outcome, index, "params")),
                )


def _check_convertible(value: Any, where: PathKey, document: LocatedDocument, path: Path) -> None:
    """Data a rule hands to CEL must convert: YAML allows keys (`~`, `1.5`) that CEL refuses."""
    problem = conversion_problem(value)
    if problem is not None:
        dotted = ".".join(str(part) for part in where)
        raise RuleError(f"{dotted}: {problem}", path=str(path), line=document.line_of(where))
