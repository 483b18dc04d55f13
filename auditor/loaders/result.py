"""What every static loader returns: the resources it read and the warnings it raised."""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.model import Resource


@dataclass(slots=True)
class LoadResult:
    """Resources read from static inputs, plus `file:line: ...` warnings for skipped parts."""

    resources: list[Resource] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def extend(self, other: LoadResult) -> None:
        """Append another result's resources and warnings to this one."""
        self.resources.extend(other.resources)
        self.warnings.extend(other.warnings)
