"""The rule file's schema, as pydantic models: the one source of rules/rule.schema.json."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from auditor.model import Category, Severity

RULE_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
KIND_PATTERN = r"^[a-z0-9_]+\.[a-z0-9_]+$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReferenceSpec(_Strict):
    """A document or benchmark item the rule maps to."""

    title: str = Field(min_length=1, description="What the reference is, e.g. 'CIS GKE Benchmark'.")
    url: str = Field(default="", description="Where to read it (https).")
    benchmark: str = Field(default="", description="Benchmark name, when this is a benchmark item.")
    version: str = Field(default="", description="Benchmark version, e.g. '1.5.0'.")
    item: str = Field(default="", description="Benchmark item, e.g. '5.2.1'.")


class ParamSpec(_Strict):
    """A tunable threshold or list with its default."""

    default: Any = Field(description="Value used unless auditor.yaml overrides it.")
    description: str = Field(min_length=1, description="What the param means.")


class CaseSpec(_Strict):
    """One resource the rule must pass or fail."""

    name: str = Field(min_length=1)
    resource: dict[str, Any] = Field(description="The resource's normalised data.")
    params: dict[str, Any] = Field(default_factory=dict, description="Per-case param overrides.")
    now: str | None = Field(default=None, description="Evaluation time (RFC 3339).")
    severity: Severity | None = Field(
        default=None, description="Fail cases: the severity expected after escalations."
    )


class CasesSpec(_Strict):
    """Resources that must not trigger the rule (pass) and that must (fail)."""

    pass_: list[CaseSpec] = Field(alias="pass", min_length=1)
    fail: list[CaseSpec] = Field(min_length=1)


class EscalationSpec(_Strict):
    """A condition under which a finding is worse than the rule's base severity (PII data …)."""

    when: str = Field(min_length=1, description="CEL; true raises the finding's severity.")
    severity: Severity = Field(description="The raised severity; must be above the rule's.")
    reason: str = Field(min_length=1, description="Why, shown on the finding's evidence.")


class RuleSpec(_Strict):
    """One rule: which resources it judges, when they violate it, and what to tell the user."""

    id: str = Field(pattern=RULE_ID_PATTERN, description="Unique id; equals the file name.")
    title: str = Field(min_length=1, max_length=120)
    severity: Severity
    category: Category
    resource: str = Field(pattern=KIND_PATTERN, description="Resource kind, e.g. k8s.workload.")
    description: str = Field(min_length=1, description="The risk, in a sentence or two.")
    when: str = Field(min_length=1, description="CEL; true means the resource violates the rule.")
    message: str = Field(min_length=1, description="Finding text; {{CEL}} placeholders allowed.")
    remediation: str = Field(min_length=1, description="How to fix it: console/CLI and IaC.")
    evidence: dict[str, str] = Field(
        default_factory=dict, description="Name to CEL expression; recorded on each finding."
    )
    escalations: list[EscalationSpec] = Field(
        default_factory=list,
        description="Checked in order after a violation; the first that holds sets the severity.",
    )
    references: list[ReferenceSpec] = Field(default_factory=list)
    params: dict[str, ParamSpec] = Field(default_factory=dict)
    cases: CasesSpec


def rule_json_schema() -> dict[str, Any]:
    """The published JSON Schema for rule files (rules/rule.schema.json)."""
    schema = RuleSpec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://github.com/auditor/auditor/rules/rule.schema.json"
    schema["title"] = "auditor rule"
    return schema
