"""An IAM allow policy (`gcloud … get-iam-policy --format=json`) checked and parsed.

Every problem names the field it is in as a path (`bindings[3].members[0]`), so a static loader
can turn it into a file line and a live collector into a log line.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditor.gcp.members import Member, parse_member
from auditor.gcp.roles import Role, parse_role

FieldPath = tuple[str | int, ...]

# A policy read at version 1 that holds conditional bindings shows each of them as
# `ROLE_withcond_HASH`, without the condition (the IAM API's compatibility behaviour).
_WITHCOND = re.compile(r"^(?P<role>.+)_withcond_(?P<hash>[0-9a-f]+)$")


def dotted(path: FieldPath) -> str:
    """('bindings', 3, 'members', 0) → 'bindings[3].members[0]'."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(policy)"


class PolicyFormatError(ValueError):
    """A policy that does not have the shape the IAM API gives it.

    `scope` is filled in by the normaliser, which knows which policy it was reading.
    """

    def __init__(self, message: str, path: FieldPath, scope: str = "") -> None:
        self.path = path
        self.detail = message
        self.scope = scope
        super().__init__(f"{dotted(path)}: {message}")


@dataclass(frozen=True, slots=True)
class PolicyWarning:
    """Something skipped or guessed while parsing, and where."""

    message: str
    path: FieldPath


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Condition:
    """An IAM condition. `key` names it inside resource ids: its title, else a hash."""

    title: str | None
    description: str | None
    expression: str | None
    key: str

    def facts(self) -> dict[str, str | None]:
        """The condition as it appears in resource data."""
        return {"title": self.title, "description": self.description, "expression": self.expression}


@dataclass(frozen=True, slots=True)
class Binding:
    """One binding: a role granted to members, perhaps under a condition."""

    index: int
    role: Role
    members: tuple[tuple[int, Member], ...]  # (index in the members list, member)
    condition: Condition | None


@dataclass(frozen=True, slots=True)
class AuditLogConfig:
    """One log type of a service's audit config and who is exempted from it."""

    log_type: str
    exempted_members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AuditConfig:
    """The audit logging of one service ('allServices' for every service)."""

    service: str
    log_configs: tuple[AuditLogConfig, ...]


@dataclass(frozen=True, slots=True)
class IamPolicy:
    """A parsed allow policy."""

    version: int | None
    bindings: tuple[Binding, ...]
    audit_configs: tuple[AuditConfig, ...]
    warnings: tuple[PolicyWarning, ...] = ()


def _optional_str(raw: Mapping[str, Any], key: str, path: FieldPath) -> str | None:
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        raise PolicyFormatError(f"{key} must be a string", (*path, key))
    return value


def _list(raw: Mapping[str, Any], key: str, path: FieldPath, what: str) -> list[Any]:
    value = raw.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise PolicyFormatError(f"{key} must be a list of {what}", (*path, key))
    return value


def _condition(raw: Any, path: FieldPath) -> Condition | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise PolicyFormatError("condition must be an object with title and expression", path)
    title = _optional_str(raw, "title", path)
    description = _optional_str(raw, "description", path)
    expression = _optional_str(raw, "expression", path)
    if not expression:
        raise PolicyFormatError("condition needs an expression", (*path, "expression"))
    return Condition(
        title=title or None,
        description=description or None,
        expression=expression,
        key=title or _short_hash(expression),
    )


def _role(raw: Mapping[str, Any], path: FieldPath) -> tuple[Role, Condition | None, str | None]:
    """The binding's role, plus the hidden condition and a warning for `_withcond_` roles."""
    if "role" not in raw:
        raise PolicyFormatError("binding has no role", path)
    name = raw["role"]
    if not isinstance(name, str):
        raise PolicyFormatError("role must be a string", (*path, "role"))
    hidden: Condition | None = None
    warning = None
    withcond = _WITHCOND.match(name)
    if withcond:
        hidden = Condition(None, None, None, key=f"withcond_{withcond['hash']}")
        warning = (
            f"role {name} stands for a conditional binding whose condition a version 1 read "
            "hides; export it again requesting policy version 3 (current gcloud does)"
        )
        name = withcond["role"]
    try:
        return parse_role(name), hidden, warning
    except ValueError as exc:
        raise PolicyFormatError(str(exc), (*path, "role")) from None


def _binding(index: int, raw: Any, warnings: list[PolicyWarning]) -> Binding:
    path: FieldPath = ("bindings", index)
    if not isinstance(raw, Mapping):
        raise PolicyFormatError("binding must be an object with role and members", path)
    role, hidden_condition, warning = _role(raw, path)
    if warning:
        warnings.append(PolicyWarning(warning, (*path, "role")))
    if "members" not in raw:
        raise PolicyFormatError("binding has no members", path)
    raw_members = raw["members"]
    if not isinstance(raw_members, list):
        raise PolicyFormatError("members must be a list of member strings", (*path, "members"))
    if not raw_members:
        warnings.append(PolicyWarning(f"binding of {role.role} has no members", path))
    members: list[tuple[int, Member]] = []
    seen: set[str] = set()
    for member_index, member in enumerate(raw_members):
        if not isinstance(member, str):
            raise PolicyFormatError("member must be a string", (*path, "members", member_index))
        try:
            parsed = parse_member(member)
        except ValueError as exc:
            raise PolicyFormatError(str(exc), (*path, "members", member_index)) from None
        if member not in seen:
            seen.add(member)
            members.append((member_index, parsed))
    condition = _condition(raw.get("condition"), (*path, "condition")) or hidden_condition
    return Binding(index=index, role=role, members=tuple(members), condition=condition)


def _audit_config(index: int, raw: Any) -> AuditConfig:
    path: FieldPath = ("auditConfigs", index)
    if not isinstance(raw, Mapping):
        raise PolicyFormatError("audit config must be an object with service", path)
    service = _optional_str(raw, "service", path)
    if not service:
        raise PolicyFormatError("audit config has no service", path)
    log_configs = []
    for log_index, log in enumerate(_list(raw, "auditLogConfigs", path, "log configs")):
        log_path = (*path, "auditLogConfigs", log_index)
        if not isinstance(log, Mapping):
            raise PolicyFormatError("audit log config must be an object with logType", log_path)
        log_type = _optional_str(log, "logType", log_path)
        if not log_type:
            raise PolicyFormatError("audit log config has no logType", log_path)
        exempted = _list(log, "exemptedMembers", log_path, "member strings")
        for member_index, member in enumerate(exempted):
            if not isinstance(member, str):
                raise PolicyFormatError(
                    "exempted member must be a string", (*log_path, "exemptedMembers", member_index)
                )
        log_configs.append(AuditLogConfig(log_type=log_type, exempted_members=tuple(exempted)))
    return AuditConfig(service=service, log_configs=tuple(log_configs))


def parse_policy(raw: Mapping[str, Any]) -> IamPolicy:
    """Check and parse an allow policy; raises PolicyFormatError naming the field."""
    version = raw.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise PolicyFormatError("version must be a number (1 or 3)", ("version",))
    warnings: list[PolicyWarning] = []
    bindings = tuple(
        _binding(index, binding, warnings)
        for index, binding in enumerate(_list(raw, "bindings", (), "bindings"))
    )
    audit_configs = tuple(
        _audit_config(index, config)
        for index, config in enumerate(_list(raw, "auditConfigs", (), "audit configs"))
    )
    return IamPolicy(
        version=version, bindings=bindings, audit_configs=audit_configs, warnings=tuple(warnings)
    )
