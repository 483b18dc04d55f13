"""The `files` source: manifests, charts, policy files or snapshots re-read on every cycle.

For estates whose state is exported to files by other jobs (a GitOps checkout, `gcloud`
exports, `auditor collect` snapshots): the daemon audits them like any live source.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from auditor.collectors.base import Collection, CollectorContext, SourceError, SourceSettings
from auditor.errors import InputError
from auditor.loaders.static import StaticOptions, load_static


class FilesSettings(SourceSettings):
    """`type: files` — paths read as `auditor scan PATH...` reads them."""

    paths: list[Path] = Field(min_length=1)
    cluster: str = "manifests"
    values_files: list[Path] = Field(default_factory=list)
    set_values: list[str] = Field(default_factory=list)


settings_model = FilesSettings


class FilesCollector:
    """Reads its paths on each collection."""

    settings_model = FilesSettings

    def __init__(self, settings: FilesSettings) -> None:
        self.settings = settings

    def collect(self, context: CollectorContext) -> Collection:
        """Load the paths; a missing or broken file makes the source down, naming the file."""
        options = StaticOptions(
            cluster=self.settings.cluster,
            values_files=tuple(self.settings.values_files),
            set_values=tuple(self.settings.set_values),
            pii=context.pii,
        )
        try:
            loaded, _ = load_static(self.settings.paths, options)
        except InputError as exc:
            raise SourceError("config", exc.one_line()) from None
        for resource in loaded.resources:
            resource.source = self.settings.name
        return Collection(resources=loaded.resources, warnings=loaded.warnings)

    def close(self) -> None:
        """Nothing to release."""


def create_collector(settings: FilesSettings) -> FilesCollector:
    """The collector for `settings`."""
    return FilesCollector(settings)
