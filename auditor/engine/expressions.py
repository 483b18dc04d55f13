"""CEL: compiling rule expressions once, checking what they reference, rendering templates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import cel
from cel.stdlib import STDLIB_FUNCTIONS, add_stdlib_to_context

RULE_VARIABLES = frozenset({"resource", "params", "now"})
# Every rule's params live in one context variable, keyed by rule id, and each compiled
# expression binds its own entry as `params`. The CEL binding re-converts *every* variable
# (the whole resource, ~40 µs) after any add_variable, so setting `params` per rule would cost
# that for each rule on each resource; with one table the resource is converted once.
PARAMS_TABLE = "rule_params"

# Names CEL itself resolves as identifiers: type names for `type(x) == int`, and the
# namespaces of the extended libraries (`math.greatest`, `sets.intersects` …).
_TYPE_NAMES = frozenset(
    {"int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type"}
)


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def regex_search(text: str, pattern: str) -> bool:
    """`re.search(text, pattern)`: true when `pattern` matches anywhere in `text`.

    The same partial-match semantics as CEL's `matches`, but the pattern is compiled once per
    process: the CEL library recompiles `matches` patterns on every call (~25 µs each), which
    made a rule over every env var of 5,000 workloads cost seconds.
    """
    return _compiled(pattern).search(text) is not None


AUDITOR_FUNCTIONS = {"re.search": regex_search}
_ALL_EXTENSIONS = {**STDLIB_FUNCTIONS, **AUDITOR_FUNCTIONS}
_NAMESPACES = frozenset(name.split(".")[0] for name in _ALL_EXTENSIONS if "." in name)

_NATIVE_FUNCTIONS = frozenset(
    {
        "size", "contains", "startsWith", "endsWith", "matches", "has",
        "int", "uint", "double", "string", "bytes", "bool", "timestamp", "duration", "dyn", "type",
        "getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear",
        "getHours", "getMinutes", "getSeconds", "getMilliseconds",
    }
)  # fmt: skip
KNOWN_FUNCTIONS = _NATIVE_FUNCTIONS | {name.rsplit(".", 1)[-1] for name in _ALL_EXTENSIONS}

# Comprehension macros bind a variable of their own: `list.exists(c, c.privileged)`.
_MACRO_BINDING = re.compile(r"\.\s*(?:all|exists_one|exists|map|filter)\s*\(\s*([A-Za-z_]\w*)\s*,")
_PARAM_REFERENCE = re.compile(r"\bparams\s*\.\s*([A-Za-z_]\w*)")
_PLACEHOLDER = re.compile(r"\{\{(.+?)\}\}", re.DOTALL)


class ExpressionError(ValueError):
    """A CEL expression that does not compile or references something unknown."""


@dataclass(frozen=True, slots=True)
class Expression:
    """A compiled CEL expression with its source, for error messages."""

    source: str
    program: Any  # cel.Program

    def evaluate(self, context: Any) -> Any:
        """Run against a cel.Context; raises whatever CEL raises."""
        return self.program.execute(context)


def _first_line(message: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return " ".join(lines[:1]) if lines else message


def compile_expression(source: str, *, rule_id: str, declared_params: frozenset[str]) -> Expression:
    """Compile `source` for rule `rule_id`, checking it uses only known variables, functions
    and declared params. At run time `params` is that rule's entry of PARAMS_TABLE.

    Raises ExpressionError with a one-line explanation.
    """
    try:
        program = cel.compile(source)
    except (ValueError, RuntimeError) as exc:
        raise ExpressionError(f"CEL does not compile: {_clean_parse_error(str(exc))}") from None
    # Functions first: a misspelled macro (`exits`) also leaves its variable unbound, and the
    # function is the real mistake.
    unknown_funcs = sorted(
        f for f in program.functions() if f[0] not in "_!@" and f not in KNOWN_FUNCTIONS
    )
    if unknown_funcs:
        raise ExpressionError(f"unknown function {unknown_funcs[0]!r}")
    bound = set(_MACRO_BINDING.findall(source))
    unknown_vars = sorted(
        set(program.variables()) - RULE_VARIABLES - bound - _TYPE_NAMES - _NAMESPACES
    )
    if unknown_vars:
        raise ExpressionError(
            f"unknown variable {unknown_vars[0]!r}; expressions may use resource, params and now"
        )
    undeclared = sorted(set(_PARAM_REFERENCE.findall(source)) - declared_params)
    if undeclared:
        raise ExpressionError(f"params.{undeclared[0]} is not declared under the rule's params")
    # The newline keeps a trailing `//` comment in `source` from swallowing the closing bracket.
    bound_source = f"[{PARAMS_TABLE}[{rule_id!r}]].map(params, ({source}\n))[0]"
    return Expression(source=source, program=cel.compile(bound_source))


def _clean_parse_error(text: str) -> str:
    # cel-rust prints "ERROR: <input>:1:20: Syntax error: ..." followed by a caret diagram.
    match = re.search(r"<input>:(\d+):(\d+):\s*(.*)", text)
    if match:
        line, column, problem = match.groups()
        return f"{problem.strip()} (expression line {line}, column {column})"
    return _first_line(text)


@dataclass(frozen=True, slots=True)
class Template:
    """Text with {{CEL}} placeholders, compiled once."""

    parts: tuple[str | Expression, ...]

    def render(self, context: Any) -> str:
        """The text with each placeholder replaced by its value; never raises."""
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            try:
                out.append(format_value(part.evaluate(context)))
            except Exception:  # noqa: BLE001 - a message must render even when a field is odd
                out.append("<?>")
        return "".join(out)


def compile_template(text: str, *, rule_id: str, declared_params: frozenset[str]) -> Template:
    """Compile each {{…}} of `text`; raises ExpressionError naming the bad placeholder."""
    parts: list[str | Expression] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        parts.append(text[position : match.start()])
        source = match.group(1).strip()
        try:
            parts.append(
                compile_expression(source, rule_id=rule_id, declared_params=declared_params)
            )
        except ExpressionError as exc:
            raise ExpressionError(f"placeholder {{{{{source}}}}}: {exc}") from None
        position = match.end()
    parts.append(text[position:])
    return Template(parts=tuple(p for p in parts if p != ""))


def format_value(value: Any) -> str:
    """How a CEL value reads in a message."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def conversion_problem(value: Any) -> str | None:
    """Why `value` cannot be given to CEL as a variable (a mapping key that is null, a float or a
    list: YAML allows them, CEL does not), or None when it can."""
    try:
        cel.Context().add_variable("value", value)
    except ValueError as exc:
        return _first_line(str(exc)).rsplit("Conversion Error: ", 1)[-1]
    return None


def new_context(now: datetime) -> Any:
    """A CEL context with the extended libraries, auditor's own functions and `now` set."""
    context = cel.Context({"now": now})
    add_stdlib_to_context(context)
    for name, function in AUDITOR_FUNCTIONS.items():
        context.add_function(name, function)
    return context
