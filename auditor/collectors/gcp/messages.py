"""API messages as the JSON the REST APIs return — the shape `gcloud --format=json` prints.

That is what the shared normalisers (auditor.gcp) read, so a live collection and a gcloud
export of the same estate become the same resources: camelCase keys, enum names, RFC 3339
times, false booleans and empty fields omitted.

The output is exactly protobuf's `json_format.MessageToDict` (a unit test holds the two
equal over every message type the collector reads). It is built here from a converter per
field, worked out once per field descriptor, because MessageToDict re-inspects every field of
every message and formats each timestamp through `strftime`: over a collection's few thousand
responses — a time series alone holds sixty timestamps — that was a tenth of the collector's
CPU. Well-known types other than Timestamp (Struct, Any, Duration, wrappers …) and
extensions are left to MessageToDict.
"""

from __future__ import annotations

import base64
import functools
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from google.protobuf import json_format  # type: ignore[import-untyped]
from google.protobuf.descriptor import FieldDescriptor  # type: ignore[import-untyped]
from google.protobuf.internal import type_checkers  # type: ignore[import-untyped]
from google.protobuf.message import Message  # type: ignore[import-untyped]

Convert = Callable[[Any], Any]

_TIMESTAMP = "google.protobuf.Timestamp"
_NULL_VALUE = "google.protobuf.NullValue"
_EPOCH = datetime(1970, 1, 1)
_FIRST_SECOND, _LAST_SECOND = -62135596800, 253402300799  # 0001-01-01 … 9999-12-31
_INT64 = frozenset({FieldDescriptor.CPPTYPE_INT64, FieldDescriptor.CPPTYPE_UINT64})
_FLOATS = frozenset({FieldDescriptor.CPPTYPE_DOUBLE, FieldDescriptor.CPPTYPE_FLOAT})

# Descriptor → converter. Filled as types are met; a race only computes one twice.
_MESSAGES: dict[Any, Convert] = {}
_FIELDS: dict[Any, tuple[str, Convert]] = {}


def as_json(message: Any) -> dict[str, Any]:
    """A proto-plus or protobuf message as REST JSON."""
    raw = unwrapped(message)
    converted: dict[str, Any] = _message(raw.DESCRIPTOR)(raw)
    return converted


def unwrapped(message: Any) -> Message:
    """The protobuf message under a proto-plus one (itself if raw). Reading a repeated field
    through proto-plus wraps every element in a new object; through this, none."""
    return message if isinstance(message, Message) else type(message).pb(message)


def _message(descriptor: Any) -> Convert:
    convert = _MESSAGES.get(descriptor)
    if convert is None:
        convert = _MESSAGES[descriptor] = _message_converter(descriptor)
    return convert


def _message_converter(descriptor: Any) -> Convert:
    name = descriptor.full_name
    if name == _TIMESTAMP:
        return _timestamp
    if name.startswith("google.protobuf.") or descriptor.extension_ranges:
        return json_format.MessageToDict  # type: ignore[no-any-return]

    def regular(message: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field, value in message.ListFields():
            known = _FIELDS.get(field)
            if known is None:
                known = _FIELDS[field] = (field.json_name, _field_converter(field))
            out[known[0]] = known[1](value)
        return out

    return regular


def _field_converter(field: Any) -> Convert:
    entry = field.message_type
    if entry is not None and entry.GetOptions().map_entry:
        value = _single(entry.fields_by_name["value"])

        def as_map(mapping: Any) -> dict[str, Any]:
            return {_map_key(key): value(mapping[key]) for key in mapping}

        return as_map
    one = _single(field)
    if field.is_repeated:
        return lambda values: [one(value) for value in values]
    return one


def _map_key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def _single(field: Any) -> Convert:
    kind = field.cpp_type
    if kind == FieldDescriptor.CPPTYPE_MESSAGE:
        return lambda message: _message(message.DESCRIPTOR)(message)
    if kind == FieldDescriptor.CPPTYPE_STRING:
        if field.type == FieldDescriptor.TYPE_BYTES:
            return lambda data: base64.b64encode(data).decode("utf-8")
        return _same
    if kind == FieldDescriptor.CPPTYPE_ENUM:
        if field.enum_type.full_name == _NULL_VALUE:
            return lambda _: None
        names = {number: value.name for number, value in field.enum_type.values_by_number.items()}
        return lambda number: names.get(number, number)  # an unknown number stays a number
    if kind in _INT64:
        return str  # 64-bit integers are strings in JSON
    if kind == FieldDescriptor.CPPTYPE_BOOL:
        return bool
    if kind in _FLOATS:
        return functools.partial(_number, single=kind == FieldDescriptor.CPPTYPE_FLOAT)
    return _same


def _same(value: Any) -> Any:
    return value


def _number(value: float, *, single: bool) -> float | str:
    if math.isinf(value):
        return "-Infinity" if value < 0 else "Infinity"
    if math.isnan(value):
        return "NaN"
    return type_checkers.ToShortestFloat(value) if single else value


def _timestamp(stamp: Any) -> Any:
    """RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits, as protobuf prints it."""
    seconds, nanos = stamp.seconds, stamp.nanos
    if not (_FIRST_SECOND <= seconds <= _LAST_SECOND and 0 <= nanos < 1_000_000_000):
        return json_format.MessageToDict(stamp)  # out of range: protobuf's own error
    text = _whole_seconds(seconds)
    if nanos == 0:
        return f"{text}Z"
    if nanos % 1_000_000 == 0:
        return f"{text}.{nanos // 1_000_000:03d}Z"
    if nanos % 1000 == 0:
        return f"{text}.{nanos // 1000:06d}Z"
    return f"{text}.{nanos:09d}Z"


@functools.lru_cache(maxsize=65536)  # series share their timestamps (aligned points)
def _whole_seconds(seconds: int) -> str:
    moment = _EPOCH + timedelta(seconds=seconds)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )
