"""Evidence as a report carries it: plain JSON values, with a backstop against secrets.

Rules choose their evidence and must not put secrets in it (docs/rule-format.md). This module
is the last line, not the first: a string that is plainly a credential, or that sits under a key
named like one, is replaced before it reaches a report.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from exporters.timestamps import rfc3339

REDACTED = "[redacted]"

# Keys whose string values are credentials by name (compared lower-case, '-' read as '_').
_SECRET_KEYS = frozenset(
    {
        "password",
        "passwd",
        "secret",
        "token",
        "api_key",
        "apikey",
        "private_key",
        "client_secret",
        "access_token",
        "refresh_token",
        "credentials",
    }
)

# Values that are credentials by shape, whatever their key.
_SECRET_SHAPES = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----"  # PEM private keys (service account key JSON too)
    r"|\bAIza[0-9A-Za-z_\-]{35}\b"  # Google API keys
    r"|\bya29\.[0-9A-Za-z_\-]{20,}"  # Google OAuth access tokens
    r"|\bAKIA[0-9A-Z]{16}\b"  # AWS access key ids
    r"|\bxox[abposr]-[0-9A-Za-z\-]{10,}"  # Slack tokens
    r"|\bhttps://hooks\.slack\.com/services/\S+"  # Slack webhooks
    r"|\bgh[pousr]_[0-9A-Za-z]{36,}"  # GitHub tokens
)

JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]


def looks_like_secret(key: str, value: str) -> bool:
    """True when `value` is a credential by its shape or by the name of its key."""
    if key.lower().replace("-", "_") in _SECRET_KEYS and value:
        return True
    return _SECRET_SHAPES.search(value) is not None


def report_evidence(evidence: Mapping[str, Any]) -> dict[str, JsonValue]:
    """Evidence as JSON values with keys sorted, secrets-looking strings redacted."""
    return {str(key): _json_value(str(key), evidence[key]) for key in sorted(evidence, key=str)}


def _json_value(key: str, value: Any) -> JsonValue:
    # bool before int: bool is an int subclass.
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        # NaN and infinities are not JSON; keep them visible as text rather than dropping them.
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Enum):
        return _json_value(key, value.value)
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _json_value(str(k), value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [_json_value(key, item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((_json_value(key, item) for item in value), key=repr)
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return REDACTED if looks_like_secret(key, text) else text
