"""Checked reading of the JSON objects gcloud prints (`--format=json`).

Every problem names the field it is in as a path (`[3].nodePools[1].config.serviceAccount`),
so a static loader can turn it into a file line and a live collector into a log line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from auditor.gcp.policy import FieldPath, dotted

# Google APIs print nanoseconds; Python parses at most microseconds.
_FRACTION = re.compile(r"(\.\d{6})\d+")
# validBeforeTime of a key that never expires.
_NEVER_YEAR = 9999


class ListingFormatError(ValueError):
    """gcloud output that does not have the shape the API gives it.

    `path` starts at the item's index in the file's list (empty for a single object).
    """

    def __init__(self, message: str, path: FieldPath) -> None:
        self.path = path
        self.detail = message
        super().__init__(f"{dotted(path)}: {message}" if path else message)


def item(raw: Any, path: FieldPath, what: str) -> Mapping[str, Any]:
    """`raw` as an object, or an error saying which object was expected."""
    if not isinstance(raw, Mapping):
        raise ListingFormatError(f"expected {what} (a JSON object)", path)
    return raw


def text(
    raw: Mapping[str, Any], key: str, path: FieldPath, *, required: bool = False
) -> str | None:
    """The string at `key`; None when absent or empty, unless `required`."""
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        raise ListingFormatError("must be a string", (*path, key))
    if required and not value:
        raise ListingFormatError(f"{key} is missing", path)
    return value or None


def required_text(raw: Mapping[str, Any], key: str, path: FieldPath) -> str:
    """The non-empty string at `key`, or an error naming the field."""
    value = text(raw, key, path, required=True)
    assert value is not None  # required=True raised otherwise
    return value


def flag(raw: Mapping[str, Any], key: str, path: FieldPath) -> bool | None:
    """The boolean at `key`; None when absent (the API omits false booleans)."""
    value = raw.get(key)
    if value is not None and not isinstance(value, bool):
        raise ListingFormatError("must be true or false", (*path, key))
    return value


def mapping(raw: Mapping[str, Any], key: str, path: FieldPath) -> Mapping[str, Any]:
    """The object at `key`; {} when absent."""
    value = raw.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ListingFormatError("must be an object", (*path, key))
    return value


def objects(raw: Mapping[str, Any], key: str, path: FieldPath) -> list[Any]:
    """The list at `key`; [] when absent."""
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ListingFormatError("must be a list", (*path, key))
    return value


def texts(raw: Mapping[str, Any], key: str, path: FieldPath) -> list[str] | None:
    """The list of strings at `key`; None when absent."""
    if raw.get(key) is None:
        return None
    values = objects(raw, key, path)
    for index, value in enumerate(values):
        if not isinstance(value, str):
            raise ListingFormatError("must be a string", (*path, key, index))
    return list(values)


def labels(raw: Mapping[str, Any], key: str, path: FieldPath) -> dict[str, str]:
    """A string-to-string label map at `key`, sorted; {} when absent."""
    value = mapping(raw, key, path)
    for label, label_value in value.items():
        if not isinstance(label_value, str):
            raise ListingFormatError("label values must be strings", (*path, key, label))
    return dict(sorted(value.items()))


def timestamp(raw: Mapping[str, Any], key: str, path: FieldPath) -> str | None:
    """An RFC 3339 time at `key` as 'YYYY-MM-DDTHH:MM:SSZ' in UTC; None when absent."""
    value = text(raw, key, path)
    if value is None:
        return None
    moment = parse_time(value)
    if moment is None:
        raise ListingFormatError(
            f"{value!r} is not an RFC 3339 time like 2025-01-31T09:30:00Z", (*path, key)
        )
    return format_time(moment)


def parse_time(value: str) -> datetime | None:
    """An RFC 3339 time as an aware datetime; None when it is not one."""
    try:
        moment = datetime.fromisoformat(_FRACTION.sub(r"\1", value.strip()))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC)


def format_time(moment: datetime) -> str:
    """'2025-01-31T09:30:00Z': whole seconds, UTC — the one spelling every gcp kind uses."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_never(time: str | None) -> bool:
    """True for the year-9999 time the IAM API gives a key that never expires."""
    return time is not None and time.startswith(str(_NEVER_YEAR))
