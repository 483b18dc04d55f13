"""Service account and key authentication counts from Cloud Monitoring, turned into the
activity records `gcloud policy-intelligence query-activity` prints — so the shared
normaliser fills `last_authenticated_at`, `usage_known` and `usage_observed_at` exactly as it
does from an Activity Analyzer export.

Monitoring keeps these metrics for a limited time (6 weeks, per the IAM documentation), less
than a 90-day dormancy threshold. So what each query saw is kept in the state store, and a
project's usage counts as known only once the continuous history held for it spans
`min_history_days`: missing data is never a finding, and never an all-clear.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from auditor.collectors.gcp.timeseries import metric_label, metric_type, points, resource_label
from auditor.gcp.activity import ACCOUNT_ACTIVITY, KEY_ACTIVITY
from auditor.gcp.fields import format_time, parse_time
from auditor.gcp.service_accounts import ServiceAccount

ACCOUNT_METRIC = "iam.googleapis.com/service_account/authn_events_count"
KEY_METRIC = "iam.googleapis.com/service_account/key/authn_events_count"
METRIC_OF = {ACCOUNT_ACTIVITY: ACCOUNT_METRIC, KEY_ACTIVITY: KEY_METRIC}
HISTORY_SERIES = "usage/"


def history_series(project_id: str, activity_type: str) -> str:
    """The state-store series of one project's usage of one kind."""
    return f"{HISTORY_SERIES}{project_id}/{activity_type}"


def last_authentications(
    series: Iterable[Mapping[str, Any]],
    activity_type: str,
    accounts: Mapping[str, ServiceAccount],
    until: datetime,
) -> dict[str, str]:
    """Who authenticated last when, in one query's answer: 'EMAIL' (accounts) or
    'EMAIL/keys/KEY_ID' (keys) → the end of the newest bucket with a count above zero.

    `accounts` maps unique ids to the project's listed accounts; series of accounts no longer
    listed (deleted) are ignored. Raises SeriesFormatError for malformed series.
    """
    wanted = METRIC_OF[activity_type]
    last: dict[str, str] = {}
    for one in series:
        if metric_type(one) != wanted:
            continue
        account = accounts.get(resource_label(one, "unique_id"))
        if account is None:
            continue
        used = [point.end for point in points(one) if point.value and point.value > 0]
        if not used:
            continue
        who = account.email
        if activity_type == KEY_ACTIVITY:
            who = f"{who}/keys/{metric_label(one, 'key_id')}"
        when = format_time(min(max(used), until))
        if who not in last or last[who] < when:
            last[who] = when
    return last


@dataclass(slots=True)
class UsageRecord:
    """What is known of one project's usage of one kind: since when, up to when, and the last
    authentication of each account or key seen in that span."""

    since: str
    until: str
    last: dict[str, str] = field(default_factory=dict)

    def to_point(self) -> dict[str, Any]:
        """The state-store value."""
        return {"since": self.since, "until": self.until, "last": dict(sorted(self.last.items()))}

    @classmethod
    def from_point(cls, value: Mapping[str, Any]) -> UsageRecord | None:
        """A record from the state store; None when it is not one (then history restarts)."""
        since, until, last = value.get("since"), value.get("until"), value.get("last")
        if not (isinstance(since, str) and isinstance(until, str) and isinstance(last, dict)):
            return None
        return cls(since, until, {str(k): str(v) for k, v in last.items()})

    def span(self) -> timedelta:
        """How much continuous history the record holds."""
        since, until = parse_time(self.since), parse_time(self.until)
        return until - since if since and until else timedelta(0)


def merge(
    previous: UsageRecord | None,
    seen: Mapping[str, str],
    window_start: datetime,
    until: datetime,
    listed: set[str] | None,
) -> UsageRecord:
    """The record after a query of [window_start, until] that saw `seen`.

    History continues when the previous record reaches into this window; after a gap it
    restarts at `window_start`. Only accounts or keys still `listed` are kept (all, when
    `listed` is None: a listing failed, so absence proves nothing).
    """
    start = format_time(window_start)
    previous_until = parse_time(previous.until) if previous else None
    continuous = (
        previous is not None and previous_until is not None and previous_until >= window_start
    )
    since = min(previous.since, start) if previous is not None and continuous else start

    def kept(who: str) -> bool:
        return listed is None or who in listed

    last = {who: when for who, when in (previous.last if previous else {}).items() if kept(who)}
    for who, when in seen.items():
        if kept(who) and (who not in last or last[who] < when):
            last[who] = when
    return UsageRecord(since=since, until=format_time(until), last=last)


def activities(project_id: str, activity_type: str, record: UsageRecord) -> list[dict[str, Any]]:
    """The record as `gcloud policy-intelligence query-activity --format=json` output."""
    return [
        {
            "activityType": activity_type,
            "fullResourceName": f"//iam.googleapis.com/projects/{project_id}/serviceAccounts/{who}",
            "activity": {"lastAuthenticatedTime": when},
            "observationPeriod": {"startTime": record.since, "endTime": record.until},
        }
        for who, when in sorted(record.last.items())
    ]
