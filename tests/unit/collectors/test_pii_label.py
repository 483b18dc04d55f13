"""The configured PII label reaches live sources, not just static scans."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from auditor.collectors.collect import collect_sources
from auditor.collectors.files import FilesSettings
from auditor.model import PiiLabel
from auditor.state import HistoryStore

NAMESPACE = """\
apiVersion: v1
kind: Namespace
metadata:
  name: billing
  labels: {classification: restricted}
"""


def test_files_source_marks_pii_with_the_configured_label(tmp_path: Path) -> None:
    """A namespace carrying the organisation's own PII label is pii=true through a live source."""
    (tmp_path / "ns.yaml").write_text(NAMESPACE)
    settings = FilesSettings(name="gitops", type="files", paths=[tmp_path])

    def namespace_pii(label: PiiLabel | None) -> object:
        [result] = collect_sources([settings], HistoryStore(), lambda: datetime.now(UTC), label)
        [namespace] = [r for r in result.resources if r.kind == "k8s.namespace"]
        return namespace.data["pii"]

    assert namespace_pii(None) is False
    assert namespace_pii(PiiLabel(key="classification", values=("restricted",))) is True
