"""An organization for the fakes built from gcloud exports (tests/fixtures/gcp): the same
estate the static loaders read, so a live collection can be compared with a static scan.

Activity Analyzer records become Monitoring authentication counts an hour before each
recorded time; with the collection at the records' observation end and daily buckets, the
bucket end equals the recorded time, so even the usage fields must come out the same.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.fakes.gcp.estate import FakeOrganization
from tests.fakes.gcp.series import authentications

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "gcp"
OBSERVED_UNTIL = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def _read(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def fixture_org() -> FakeOrganization:
    """The acme-analytics estate of tests/fixtures/gcp, served live."""
    org = FakeOrganization("123456789012", policy=_read("organizations.123456789012.json"))
    folder = _read("folders.987654321098.labels.json")
    org.add_folder(
        "987654321098",
        folder["parent"],
        folder["displayName"],
        policy=_read("folders.987654321098.json"),
    )
    described = _read("projects.acme-analytics.labels.json")
    parent = described["parent"]
    project = org.add_project(
        "acme-analytics",
        described["projectNumber"],
        f"{parent['type']}s/{parent['id']}",
        labels=described["labels"],
        policy=_read("projects.acme-analytics.iam.json"),
    )
    project.service_accounts = _read("service-accounts.acme-analytics.json")
    unique_ids = {}
    for account in project.service_accounts:
        email = account["email"].lower()
        project.keys[email] = []
        unique_ids[email] = account["uniqueId"]
    for name in ("keys.etl.acme-analytics.json", "keys.old-exporter.acme-analytics.json"):
        for key in _read(name):
            email = key["name"].split("/serviceAccounts/")[1].split("/")[0].lower()
            project.keys[email].append(key)
    project.roles = [_read("role.partnerLoader.acme-analytics.json")]
    org.time_series = [
        _series(activity, unique_ids)
        for name in (
            "activity.service-accounts.acme-analytics.json",
            "activity.keys.acme-analytics.json",
        )
        for activity in _read(name)
    ]
    return org


def _series(activity: dict[str, Any], unique_ids: dict[str, str]) -> dict[str, Any]:
    resource = activity["fullResourceName"].split("/serviceAccounts/")[1]
    email, _, key_id = resource.partition("/keys/")
    at = _time(activity["activity"]["lastAuthenticatedTime"]) - timedelta(hours=1)
    return authentications("acme-analytics", unique_ids[email.lower()], [(at, 3)], key_id or None)
