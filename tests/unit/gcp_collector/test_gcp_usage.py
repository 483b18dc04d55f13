"""Authentication counts from Monitoring become Activity Analyzer records: the newest bucket
with a count is the last authentication; history carries across collections, restarts after
a gap, and makes usage known only once it spans the minimum."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from auditor.collectors.gcp.usage import (
    UsageRecord,
    activities,
    last_authentications,
    merge,
)
from auditor.gcp.activity import ACCOUNT_ACTIVITY, KEY_ACTIVITY, parse_activity
from auditor.gcp.estate import GcloudListings, UsageCoverage, normalise_listings
from auditor.gcp.service_accounts import ServiceAccount, parse_service_account

END = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ETL = "etl@acme-data-prod.iam.gserviceaccount.com"
IDLE = "idle@acme-data-prod.iam.gserviceaccount.com"


def account(email: str, unique_id: str) -> ServiceAccount:
    """A listed account."""
    raw = {
        "name": f"projects/acme-data-prod/serviceAccounts/{email}",
        "email": email,
        "uniqueId": unique_id,
    }
    return parse_service_account(raw, ())


ACCOUNTS = {"101": account(ETL, "101"), "102": account(IDLE, "102")}


def bucket(end: datetime, count: int) -> dict[str, Any]:
    """One ALIGN_SUM point ending at `end`, as ListTimeSeries returns it."""
    start = end - timedelta(days=1)
    return {
        "interval": {
            "startTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "endTime": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "value": {"int64Value": str(count)},
    }


def series(
    unique_id: str, points: list[dict[str, Any]], key_id: str | None = None
) -> dict[str, Any]:
    """An authn_events_count series of one account (or key)."""
    metric = (
        "iam.googleapis.com/service_account/" + ("key/" if key_id else "") + "authn_events_count"
    )
    found: dict[str, Any] = {
        "metric": {"type": metric},
        "resource": {
            "type": "iam_service_account",
            "labels": {"project_id": "acme-data-prod", "unique_id": unique_id},
        },
        "metricKind": "DELTA",
        "valueType": "INT64",
        "points": points,
    }
    if key_id:
        found["metric"]["labels"] = {"key_id": key_id}
    return found


def test_the_newest_bucket_with_a_count_is_the_last_authentication() -> None:
    """Zero buckets do not count; accounts no longer listed are ignored; keys are per key."""
    found = [
        series(
            "101",
            [
                bucket(END, 0),
                bucket(END - timedelta(days=3), 7),
                bucket(END - timedelta(days=9), 2),
            ],
        ),
        series("999", [bucket(END, 5)]),  # a deleted account
        series("101", [bucket(END - timedelta(days=1), 1)], key_id="k1"),
    ]
    assert last_authentications(found, ACCOUNT_ACTIVITY, ACCOUNTS, END) == {
        ETL: "2026-11-23T12:00:00Z"
    }
    assert last_authentications(found, KEY_ACTIVITY, ACCOUNTS, END) == {
        f"{ETL}/keys/k1": "2026-11-25T12:00:00Z"
    }


def test_history_continues_and_keeps_what_older_windows_saw() -> None:
    """A second window overlapping the first extends the span and keeps the older sighting."""
    first = merge(
        None,
        {ETL: "2026-08-01T12:00:00Z"},
        END - timedelta(days=100),
        END - timedelta(days=40),
        {ETL, IDLE},
    )
    second = merge(first, {}, END - timedelta(days=42), END, {ETL, IDLE})
    assert second.since == first.since == "2026-08-18T12:00:00Z"
    assert second.last == {ETL: "2026-08-01T12:00:00Z"}
    assert second.span().days == 100


def test_a_gap_restarts_the_history() -> None:
    """A window that starts after the previous one ended cannot vouch for the time between."""
    first = merge(None, {}, END - timedelta(days=200), END - timedelta(days=150), {ETL})
    second = merge(first, {}, END - timedelta(days=42), END, {ETL})
    assert second.since == "2026-10-15T12:00:00Z"


def test_history_of_deleted_accounts_is_dropped_unless_a_listing_failed() -> None:
    """Only listed accounts are kept; with `listed` unknown (None) nothing is dropped."""
    record = UsageRecord(
        "2026-08-01T00:00:00Z",
        "2026-11-01T00:00:00Z",
        {ETL: "2026-10-01T00:00:00Z", "gone@x.iam.gserviceaccount.com": "2026-10-02T00:00:00Z"},
    )
    assert set(merge(record, {}, END - timedelta(days=42), END, {ETL}).last) == {ETL}
    assert len(merge(record, {}, END - timedelta(days=42), END, None).last) == 2
    assert UsageRecord.from_point(record.to_point()) == record
    assert UsageRecord.from_point({"since": 1}) is None


def test_covered_usage_judges_accounts_with_no_activity_as_never_used() -> None:
    """Records become gcloud activities; with explicit coverage, an account nobody saw
    authenticate is usage-known with no last authentication — not unknown."""
    record = UsageRecord(
        "2026-08-01T00:00:00Z", "2026-11-26T12:00:00Z", {ETL: "2026-11-20T12:00:00Z"}
    )
    listings = GcloudListings(service_accounts=[(ACCOUNTS["101"], None), (ACCOUNTS["102"], None)])
    for raw in activities("acme-data-prod", ACCOUNT_ACTIVITY, record):
        listings.authentications.append(parse_activity(raw, ()))
    listings.usage_coverage.append(UsageCoverage(ACCOUNT_ACTIVITY, "acme-data-prod", record.until))
    data = {r.data["email"]: r.data for r in normalise_listings(listings, source="gcp")}
    assert (data[ETL]["usage_known"], data[ETL]["last_authenticated_at"]) == (
        True,
        "2026-11-20T12:00:00Z",
    )
    assert (data[IDLE]["usage_known"], data[IDLE]["last_authenticated_at"]) == (True, None)
    assert data[IDLE]["usage_observed_at"] == "2026-11-26T12:00:00Z"


def test_without_coverage_usage_stays_unknown() -> None:
    """No query answered for the project: nothing is known, nothing is judged."""
    listings = GcloudListings(service_accounts=[(ACCOUNTS["102"], None)])
    [resource] = normalise_listings(listings, source="gcp")
    assert (resource.data["usage_known"], resource.data["usage_observed_at"]) == (False, None)
