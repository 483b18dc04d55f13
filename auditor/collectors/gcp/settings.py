"""`type: gcp` settings: which part of an organization to read, how, and how gently."""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from auditor.collectors.base import SourceSettings
from auditor.collectors.gcp.asset_settings import AssetSettings

READ_ONLY_SCOPE = "https://www.googleapis.com/auth/cloud-platform.read-only"
_NUMBER = re.compile(r"^[0-9]+$")
_PROJECT_ID = re.compile(r"^(?:[a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$")
_SA_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.gserviceaccount\.com$")
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class GcpAuth(_Section):
    """How auditor proves who it is: keyless, always.

    `adc`: Application Default Credentials — Workload Identity on GKE, the attached service
    account on Compute Engine / Cloud Run, or `gcloud auth application-default login`.
    `anonymous`: no credentials, for local fakes and emulators only (plain-HTTP endpoints).
    """

    type: Literal["adc", "anonymous"] = "adc"
    impersonate_service_account: str | None = Field(
        default=None,
        description="Act as this service account (roles/iam.serviceAccountTokenCreator on it).",
    )
    delegates: list[str] = Field(
        default_factory=list, description="Delegation chain for impersonation, nearest last."
    )
    quota_project: str | None = Field(
        default=None, description="Project billed and rate-limited for the API calls."
    )
    scopes: list[str] = Field(default_factory=lambda: [READ_ONLY_SCOPE])

    @field_validator("impersonate_service_account")
    @classmethod
    def _service_account(cls, value: str | None) -> str | None:
        if value is not None and not _SA_EMAIL.match(value):
            raise ValueError(
                "expected a service account email, NAME@PROJECT.iam.gserviceaccount.com"
            )
        return value

    @model_validator(mode="after")
    def _anonymous_is_plain(self) -> GcpAuth:
        if self.type == "anonymous" and (self.impersonate_service_account or self.delegates):
            raise ValueError("anonymous auth cannot impersonate a service account")
        return self


class ApiLimits(_Section):
    """Concurrency and client-side pacing of one API (quota is per consumer project)."""

    concurrency: int = Field(default=8, ge=1, le=64, description="Calls in flight at once.")
    requests_per_minute: int = Field(
        default=600, ge=1, description="At most this many calls in any 60 s window."
    )


class ApiSettings(_Section):
    """Per-API limits, and a bound across them. Pacing defaults stay at half of Google's default
    read quotas, leaving room for other tools that bill the same quota project (Resource
    Manager 1,200/min, IAM and Monitoring 6,000/min). IAM and Monitoring carry most calls
    (Monitoring five per project), so each may use most of the shared slots when the other
    is done."""

    resource_manager: ApiLimits = Field(
        default_factory=lambda: ApiLimits(concurrency=8, requests_per_minute=600)
    )
    iam: ApiLimits = Field(
        default_factory=lambda: ApiLimits(concurrency=20, requests_per_minute=3000)
    )
    monitoring: ApiLimits = Field(
        default_factory=lambda: ApiLimits(concurrency=20, requests_per_minute=3000)
    )
    asset: ApiLimits = Field(
        default_factory=lambda: ApiLimits(concurrency=4, requests_per_minute=200)
    )  # Cloud Asset Inventory: 400 searches/min per consumer project
    concurrency: int = Field(
        default=24, ge=1, le=128, description="Calls in flight across the APIs."
    )


class RetrySettings(_Section):
    """Retries of 429, 503 and deadline-exceeded calls: exponential backoff with full jitter."""

    attempts: int = Field(default=5, ge=1, le=20)
    initial_backoff_seconds: float = Field(default=0.5, gt=0)
    max_backoff_seconds: float = Field(default=16.0, gt=0)


class Endpoints(_Section):
    """API endpoints, for Private Service Connect or local fakes; default Google's.

    `https://HOST[:PORT]` for TLS; `http://127.0.0.1:PORT` (loopback only, anonymous auth only)
    for fakes, so a token never travels in clear.
    """

    resource_manager: str | None = None
    iam: str | None = None
    monitoring: str | None = None
    asset: str | None = None

    @field_validator("resource_manager", "iam", "monitoring", "asset")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path not in ("", "/")
        ):
            raise ValueError("expected https://HOST[:PORT] (or http://127.0.0.1:PORT for a fake)")
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
            raise ValueError("plain http is allowed only to a loopback address")
        return value.rstrip("/")

    def plain(self) -> bool:
        """True when any endpoint is plain http (a local fake)."""
        return any(
            value is not None and value.startswith("http://")
            for value in (self.resource_manager, self.iam, self.monitoring, self.asset)
        )


class ProjectFilter(_Section):
    """Projects selected by id pattern (shell glob) and/or labels (value '*' = any value)."""

    ids: list[str] = Field(default_factory=list, description="e.g. ['acme-data-*']")
    labels: dict[str, str] = Field(default_factory=dict, description="e.g. {env: prod}")


class Parts(_Section):
    """What to read; every part is on by default."""

    policies: bool = True
    service_accounts: bool = True
    keys: bool = True
    custom_roles: bool = True
    predefined_roles: bool = True
    usage: bool = True
    pubsub: bool = True
    composer: bool = True


class UsageSettings(_Section):
    """Service account and key authentication counts from Cloud Monitoring (for dormancy)."""

    lookback_days: int = Field(
        default=42,
        ge=1,
        le=730,
        description="Days of authn_events_count asked for; Monitoring keeps these metrics for "
        "a limited time (6 weeks, per the IAM documentation).",
    )
    min_history_days: int = Field(
        default=90,
        ge=1,
        description="A project's usage is known (and dormancy judged) only once this many days "
        "of continuous history are held, from the query and the state store.",
    )
    alignment_hours: int = Field(default=24, ge=1, le=168, description="Bucket of the counts.")


class WindowSettings(_Section):
    """A Monitoring window ending now; the newest point in it is the current value."""

    window_minutes: int = Field(default=30, ge=5, le=1440)


class PiiSettings(_Section):
    """The project label that marks personal data, when this source differs from
    auditor.yaml's `pii`."""

    label: str = "data-classification"
    values: list[str] = Field(default_factory=lambda: ["pii"], min_length=1)


class GcpSettings(SourceSettings):
    """`type: gcp` — IAM, service accounts, keys, roles, usage, Pub/Sub and Composer health of
    an organization, some folders, or a list of projects."""

    interval_seconds: float = Field(default=900.0, gt=0, description="Daemon: how often.")
    timeout_seconds: float = Field(default=600.0, gt=0, description="Whole collection deadline.")
    organization: str | None = Field(default=None, description="Organization number to walk.")
    folders: list[str] = Field(default_factory=list, description="Folder numbers to walk.")
    projects: list[str] = Field(default_factory=list, description="Exactly these project ids.")
    include: ProjectFilter | None = None
    exclude: ProjectFilter | None = None
    collect: Parts = Field(default_factory=Parts)
    auth: GcpAuth = Field(default_factory=GcpAuth)
    endpoints: Endpoints = Field(default_factory=Endpoints)
    api: ApiSettings = Field(default_factory=ApiSettings)
    retry: RetrySettings = Field(default_factory=RetrySettings)
    call_timeout_seconds: float = Field(default=20.0, gt=0, description="Per API call.")
    page_size: int = Field(default=100, ge=1, le=1000, description="Items per listing page.")
    monitoring_page_size: int = Field(
        default=10000, ge=1, le=100000, description="Points per ListTimeSeries page."
    )
    role_cache_ttl_hours: float = Field(
        default=24.0, ge=0, description="Predefined roles' permissions are re-read after this."
    )
    usage: UsageSettings = Field(default_factory=UsageSettings)
    pubsub: WindowSettings = Field(default_factory=WindowSettings)
    composer: WindowSettings = Field(default_factory=WindowSettings)
    pii: PiiSettings | None = Field(
        default=None, description="Default: auditor.yaml's `pii`, as every source reads it."
    )
    assets: AssetSettings = Field(default_factory=AssetSettings)

    @field_validator("organization")
    @classmethod
    def _organization(cls, value: str | None) -> str | None:
        if value is not None:
            value = value.removeprefix("organizations/")
            if not _NUMBER.match(value):
                raise ValueError("expected the organization number, e.g. 123456789012")
        return value

    @field_validator("folders")
    @classmethod
    def _folders(cls, value: list[str]) -> list[str]:
        folders = [folder.removeprefix("folders/") for folder in value]
        for folder in folders:
            if not _NUMBER.match(folder):
                raise ValueError(f"{folder!r} is not a folder number, e.g. 987654321098")
        return folders

    @field_validator("projects")
    @classmethod
    def _projects(cls, value: list[str]) -> list[str]:
        projects = [project.removeprefix("projects/") for project in value]
        for project in projects:
            if not _PROJECT_ID.match(project):
                raise ValueError(f"{project!r} is not a project id")
        if len(set(projects)) != len(projects):
            raise ValueError("a project is listed twice")
        return projects

    @model_validator(mode="after")
    def _one_way_to_choose_projects(self) -> GcpSettings:
        walking = self.organization is not None or bool(self.folders)
        if walking == bool(self.projects):
            raise ValueError(
                "give organization and/or folders to discover projects, or projects to read "
                "exactly those — one of the two"
            )
        if self.projects and (self.include or self.exclude):
            raise ValueError(
                "include/exclude filter discovered projects; an explicit list is exact"
            )
        if self.endpoints.plain() and self.auth.type != "anonymous":
            raise ValueError("plain-http endpoints take auth type anonymous (no token in clear)")
        return self
