"""`type: airflow` settings: where the Airflow API is, how to authenticate, what to check."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

from auditor.collectors.base import SourceSettings
from auditor.collectors.secrets import SecretRef

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"


class AirflowAuth(BaseModel):
    """How auditor proves who it is to the Airflow API.

    `google`: Cloud Composer — an access token from Application Default Credentials (Workload
    Identity, the attached service account, or `gcloud auth application-default login`); no key.
    `jwt`: self-hosted Airflow 3 — a token from `POST /auth/token` with username and password.
    `basic`: self-hosted Airflow 2 — HTTP basic auth (the `basic_auth` API backend).
    `none`: an API that needs no credentials (a local test instance).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)

    type: Literal["google", "jwt", "basic", "none"] = "google"
    username: str | None = Field(default=None, description="jwt / basic: the user name.")
    password: SecretRef | None = Field(default=None, description="jwt / basic: {env|file}.")
    scopes: list[str] = Field(
        default_factory=lambda: [CLOUD_PLATFORM_SCOPE],
        description="google: OAuth scopes of the access token.",
    )

    @model_validator(mode="after")
    def _credentials_match_type(self) -> AirflowAuth:
        if self.type in ("jwt", "basic"):
            if not self.username or self.password is None:
                raise ValueError(f"auth type {self.type!r} needs username and password")
        elif self.username is not None or self.password is not None:
            raise ValueError(f"auth type {self.type!r} takes no username or password")
        return self


class DagDelivery(BaseModel):
    """Git checkout → bucket → Airflow: where the DAG files should be and where they are."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)

    git_dags_folder: Path = Field(description="The DAG folder inside a Git checkout.")
    bucket_prefix: str = Field(
        description="gs://BUCKET/PREFIX the environment reads DAGs from (Composer's "
        "config.dagGcsPrefix, e.g. gs://europe-west1-prod-1a2b3c-bucket/dags)."
    )
    project: str | None = Field(default=None, description="Project billed for the listing.")
    ignore: list[str] = Field(
        default_factory=lambda: ["__pycache__/*", "*.pyc", ".airflowignore", ".DS_Store"],
        description="Glob patterns (relative paths) that are not DAG files on either side.",
    )

    @field_validator("bucket_prefix")
    @classmethod
    def _gs_url(cls, value: str) -> str:
        if not value.startswith("gs://") or len(value) <= len("gs://"):
            raise ValueError("expected gs://BUCKET or gs://BUCKET/PREFIX")
        return value

    @property
    def bucket(self) -> str:
        """The bucket name."""
        return self.bucket_prefix[len("gs://") :].split("/", 1)[0]

    @property
    def prefix(self) -> str:
        """The object prefix, '' or ending in '/'."""
        rest = self.bucket_prefix[len("gs://") :].partition("/")[2].strip("/")
        return f"{rest}/" if rest else ""


class AirflowSettings(SourceSettings):
    """`type: airflow` — one Airflow or Cloud Composer environment."""

    url: HttpUrl = Field(description="Airflow web server / API server base URL.")
    environment: str | None = Field(
        default=None, description="Environment name in resource ids (default: the source name)."
    )
    platform: Literal["composer", "airflow"] | None = Field(
        default=None, description="Default: composer with google auth, else airflow."
    )
    api_version: Literal["auto", "v1", "v2"] = Field(
        default="auto", description="v2 = Airflow 3 / Composer 3, v1 = Airflow 2 / Composer 2."
    )
    auth: AirflowAuth = Field(default_factory=AirflowAuth)
    verify_tls: bool = True
    ca_bundle: Path | None = Field(default=None, description="CA file for a private TLS CA.")
    request_timeout_seconds: float = Field(default=10.0, gt=0)
    page_size: int = Field(default=100, ge=1, le=1000)
    runs_lookback_hours: float = Field(
        default=72.0, gt=0, description="Runs of all DAGs read in one listing; older per DAG."
    )
    airflow_dags_folder: str = Field(
        default="/home/airflow/gcs/dags",
        description="API v1: the DAG folder path inside Airflow, stripped from file locations.",
    )
    delivery: DagDelivery | None = None

    @field_validator("url")
    @classmethod
    def _no_credentials_in_url(cls, value: HttpUrl) -> HttpUrl:
        if value.username or value.password:
            raise ValueError("put credentials under auth, not in the URL")
        return value

    @property
    def environment_name(self) -> str:
        """The environment's name in resource ids."""
        return self.environment or self.name

    @property
    def platform_name(self) -> str:
        """composer or airflow."""
        if self.platform:
            return self.platform
        return "composer" if self.auth.type == "google" else "airflow"

    @property
    def base_url(self) -> str:
        """The URL without a trailing slash."""
        return str(self.url).rstrip("/")
