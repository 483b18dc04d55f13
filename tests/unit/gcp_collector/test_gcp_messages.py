"""as_json gives exactly protobuf's MessageToDict for every message type the collector reads:
all fields set, maps, enums (known and unknown numbers), bytes, 64-bit integers, special
floats, timestamps at every precision and before the epoch, nested well-known types."""

from __future__ import annotations

from typing import Any

import pytest
from google.cloud import asset_v1, iam_admin_v1, monitoring_v3, resourcemanager_v3
from google.iam.v1 import policy_pb2  # type: ignore[import-untyped]
from google.protobuf import json_format  # type: ignore[import-untyped]
from google.protobuf.message import Message  # type: ignore[import-untyped]

from auditor.collectors.gcp.messages import as_json

STAMPS = [
    "2026-11-26T12:00:00Z",
    "2026-11-26T12:00:00.120Z",
    "2026-11-26T12:00:00.000120Z",
    "2026-11-26T12:00:00.000000120Z",
    "1969-07-20T20:17:40.5Z",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999999Z",
]


def _pb(message_class: Any, raw: dict[str, Any]) -> Message:
    """A raw protobuf message from REST JSON."""
    target = (
        message_class()
        if isinstance(message_class, type) and issubclass(message_class, Message)
        else message_class.pb()()
    )
    return json_format.ParseDict(raw, target)


def _point(stamp: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"interval": {"startTime": stamp, "endTime": stamp}, "value": value}


POLICY = {
    "version": 3,
    "etag": "BwYAAQ==",
    "bindings": [
        {"role": "roles/viewer", "members": ["user:a@acme.example", "group:g@acme.example"]},
        {
            "role": "roles/storage.admin",
            "members": ["serviceAccount:s@p.iam.gserviceaccount.com"],
            "condition": {
                "title": "until 2027",
                "description": "temporary",
                "expression": 'request.time < timestamp("2027-01-01T00:00:00Z")',
                "location": "policy.json:3",
            },
        },
    ],
    "auditConfigs": [
        {
            "service": "allServices",
            "auditLogConfigs": [
                {"logType": "DATA_READ", "exemptedMembers": ["user:x@acme.example"]},
                {"logType": "ADMIN_READ"},
            ],
        }
    ],
}

SERIES = {
    "metric": {
        "type": "custom.googleapis.com/everything",
        "labels": {"key_id": "k1", "empty": ""},
    },
    "resource": {"type": "iam_service_account", "labels": {"project_id": "p", "unique_id": "1"}},
    "metadata": {
        "systemLabels": {"zone": "europe-west1-b", "up": True, "n": 2.5, "l": ["a", 1]},
        "userLabels": {"team": "data"},
    },
    "metricKind": "DELTA",
    "valueType": "DISTRIBUTION",
    "unit": "1",
    "description": "every kind of value",
    "points": [_point(stamp, {"int64Value": str(2**62 + n)}) for n, stamp in enumerate(STAMPS)]
    + [
        _point(STAMPS[0], {"doubleValue": 0.1}),
        _point(STAMPS[0], {"doubleValue": "NaN"}),
        _point(STAMPS[0], {"doubleValue": "-Infinity"}),
        _point(STAMPS[0], {"boolValue": True}),
        _point(STAMPS[0], {"boolValue": False}),
        _point(STAMPS[0], {"stringValue": "text"}),
        _point(
            STAMPS[0],
            {
                "distributionValue": {
                    "count": "3",
                    "mean": 2.5,
                    "sumOfSquaredDeviation": 1.5,
                    "range": {"min": 1, "max": 4},
                    "bucketOptions": {
                        "exponentialBuckets": {
                            "numFiniteBuckets": 3,
                            "growthFactor": 2,
                            "scale": 1,
                        }
                    },
                    "bucketCounts": ["0", "1", "2"],
                }
            },
        ),
    ],
}

KEY = {
    "name": "projects/p/serviceAccounts/s@p.iam.gserviceaccount.com/keys/abc",
    "privateKeyType": "TYPE_GOOGLE_CREDENTIALS_FILE",
    "keyAlgorithm": "KEY_ALG_RSA_2048",
    "privateKeyData": "AAECAw==",
    "publicKeyData": "BAUG",
    "validAfterTime": STAMPS[1],
    "validBeforeTime": STAMPS[6],
    "keyOrigin": "USER_PROVIDED",
    "keyType": "USER_MANAGED",
    "disabled": True,
}

MESSAGES: dict[str, tuple[Any, dict[str, Any]]] = {
    "policy": (policy_pb2.Policy, POLICY),
    "project": (
        resourcemanager_v3.Project,
        {
            "name": "projects/123",
            "parent": "folders/9",
            "projectId": "acme-data",
            "state": "DELETE_REQUESTED",
            "displayName": "Data",
            "createTime": STAMPS[2],
            "updateTime": STAMPS[3],
            "etag": "W/1",
            "labels": {"env": "prod", "data-classification": "pii"},
        },
    ),
    "folder": (
        resourcemanager_v3.Folder,
        {"name": "folders/9", "parent": "organizations/1", "displayName": "t", "state": "ACTIVE"},
    ),
    "account": (
        iam_admin_v1.ServiceAccount,
        {
            "name": "projects/p/serviceAccounts/s@p.iam.gserviceaccount.com",
            "projectId": "p",
            "uniqueId": "110000000000000000001",
            "email": "s@p.iam.gserviceaccount.com",
            "displayName": "S",
            "etag": "MDEwMjE5MjA=",
            "description": "d",
            "oauth2ClientId": "110000000000000000001",
            "disabled": True,
        },
    ),
    "key": (iam_admin_v1.ServiceAccountKey, KEY),
    "role": (
        iam_admin_v1.Role,
        {
            "name": "projects/p/roles/operator",
            "title": "Operator",
            "description": "runs jobs",
            "includedPermissions": ["dataflow.jobs.create", "storage.objects.get"],
            "stage": "DEPRECATED",
            "etag": "BwY=",
            "deleted": True,
        },
    ),
    "series": (monitoring_v3.TimeSeries, SERIES),
    "asset resource": (
        asset_v1.ResourceSearchResult,
        {
            "name": "//storage.googleapis.com/b",
            "assetType": "storage.googleapis.com/Bucket",
            "project": "projects/123",
            "labels": {"env": "prod"},
            "createTime": STAMPS[0],
            "additionalAttributes": {"location": "EU", "size": 3, "tags": ["a"]},
        },
    ),
    "asset policy": (
        asset_v1.IamPolicySearchResult,
        {"resource": "//cloudresourcemanager.googleapis.com/projects/p", "policy": POLICY},
    ),
}


@pytest.mark.parametrize("kind", sorted(MESSAGES))
def test_as_json_is_message_to_dict(kind: str) -> None:
    """Raw and proto-plus messages both convert exactly as MessageToDict converts them."""
    message_class, raw = MESSAGES[kind]
    message = _pb(message_class, raw)
    expected = json_format.MessageToDict(message)
    assert as_json(message) == expected
    if not issubclass(message_class, Message):  # the proto-plus wrapper the clients return
        assert as_json(message_class.wrap(message)) == expected


def test_an_unknown_enum_number_stays_a_number() -> None:
    """A state newer than the client library is kept as its number, as MessageToDict does."""
    project = _pb(resourcemanager_v3.Project, {"projectId": "acme-data"})
    project.state = 99
    assert (
        as_json(project)
        == json_format.MessageToDict(project)
        == {
            "projectId": "acme-data",
            "state": 99,
        }
    )


def test_an_empty_message_is_an_empty_object() -> None:
    """Defaults are omitted: nothing set, nothing printed."""
    assert as_json(iam_admin_v1.ServiceAccountKey()) == {}
