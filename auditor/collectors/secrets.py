"""Credentials from files or environment variables, never from the config file itself."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from auditor.collectors.base import SourceError


class SecretRef(BaseModel):
    """Where a secret is: `{env: NAME}` or `{file: /path}` (e.g. a mounted Kubernetes Secret)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    env: str | None = Field(default=None, description="Environment variable holding the secret.")
    file: Path | None = Field(default=None, description="File holding the secret (one line).")

    @model_validator(mode="after")
    def _exactly_one(self) -> SecretRef:
        if (self.env is None) == (self.file is None):
            raise ValueError("give exactly one of env or file")
        return self

    def describe(self) -> str:
        """Where the secret comes from, for messages (never the value)."""
        return f"environment variable {self.env}" if self.env else f"file {self.file}"

    def read(self) -> str:
        """The secret's value; a SourceError (kind 'config') when it is missing."""
        if self.env is not None:
            value = os.environ.get(self.env)
            if value is None:
                raise SourceError("config", f"secret not set: {self.describe()}")
            return value
        assert self.file is not None
        try:
            return self.file.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise SourceError(
                "config", f"cannot read secret {self.describe()}: {exc.strerror}"
            ) from None
