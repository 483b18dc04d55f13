"""API messages as the JSON the REST APIs return — the shape `gcloud --format=json` prints.

That is what the shared normalisers (auditor.gcp) read, so a live collection and a gcloud
export of the same estate become the same resources: camelCase keys, enum names, RFC 3339
times, false booleans and empty fields omitted.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format  # type: ignore[import-untyped]
from google.protobuf.message import Message  # type: ignore[import-untyped]


def as_json(message: Any) -> dict[str, Any]:
    """A proto-plus or protobuf message as REST JSON."""
    raw: Message = message if isinstance(message, Message) else type(message).pb(message)
    converted: dict[str, Any] = json_format.MessageToDict(raw)
    return converted
