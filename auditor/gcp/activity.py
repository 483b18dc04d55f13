"""When service accounts and keys last authenticated: `gcloud policy-intelligence query-activity
--activity-type=serviceAccountLastAuthentication|serviceAccountKeyLastAuthentication
--project=P --format=json` output (Policy Analyzer's Activity Analyzer), checked and parsed.

Activity Analyzer lists only accounts and keys that authenticated at least once in the history
it keeps; an account missing from a project's output has no recorded authentication. That is
why the project a query covered matters: every account of that project is judged, and accounts
of projects that were not queried are "usage unknown", never "unused".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditor.gcp import fields
from auditor.gcp.fields import ListingFormatError
from auditor.gcp.policy import FieldPath

ACCOUNT_ACTIVITY = "serviceAccountLastAuthentication"
KEY_ACTIVITY = "serviceAccountKeyLastAuthentication"
ACTIVITY_TYPES = (ACCOUNT_ACTIVITY, KEY_ACTIVITY)

_RESOURCE = re.compile(
    r"^//iam\.googleapis\.com/projects/(?P<project>[^/]+)/serviceAccounts/(?P<email>[^/]+)"
    r"(?:/keys/(?P<key>[^/]+))?$"
)


def looks_like_activity(raw: Any) -> bool:
    """An object with an activityType and a fullResourceName."""
    return (
        isinstance(raw, Mapping)
        and raw.get("activityType") in ACTIVITY_TYPES
        and "fullResourceName" in raw
    )


@dataclass(frozen=True, slots=True)
class LastAuthentication:
    """The last recorded authentication of one service account (key_id None) or key."""

    activity_type: str
    project: str  # as the resource name has it: a project id, or a number
    email: str
    key_id: str | None
    last_authenticated_at: str
    observed_until: str | None  # end of the observation period: how fresh the data is


def parse_activity(raw: Any, path: FieldPath) -> LastAuthentication:
    """One activity object; raises ListingFormatError naming the field."""
    entry = fields.item(raw, path, "an Activity Analyzer activity")
    activity_type = fields.required_text(entry, "activityType", path)
    if activity_type not in ACTIVITY_TYPES:
        raise ListingFormatError(
            f"{activity_type!r} is not {' or '.join(ACTIVITY_TYPES)}",
            (*path, "activityType"),
        )
    resource = fields.required_text(entry, "fullResourceName", path)
    match = _RESOURCE.match(resource)
    wants_key = activity_type == KEY_ACTIVITY
    if not match or (match["key"] is not None) != wants_key:
        shape = "…/serviceAccounts/EMAIL/keys/KEY_ID" if wants_key else "…/serviceAccounts/EMAIL"
        raise ListingFormatError(
            f"a {activity_type} activity names "
            f"//iam.googleapis.com/projects/PROJECT{shape.removeprefix('…')}",
            (*path, "fullResourceName"),
        )
    activity_path = (*path, "activity")
    activity = fields.mapping(entry, "activity", path)
    last = fields.timestamp(activity, "lastAuthenticatedTime", activity_path)
    if last is None:
        raise ListingFormatError("lastAuthenticatedTime is missing", activity_path)
    period = fields.mapping(entry, "observationPeriod", path)
    observed_until = fields.timestamp(period, "endTime", (*path, "observationPeriod"))
    return LastAuthentication(
        activity_type=activity_type,
        project=match["project"],
        email=match["email"].lower(),
        key_id=match["key"],
        last_authenticated_at=last,
        observed_until=observed_until,
    )
