"""Which gcloud listing a JSON document is, told from its shape.

gcloud prints a list for `list` and `query-activity` and one object for `describe`; either is
accepted. The first object decides the kind; every object is then parsed as that kind, so a
malformed one is an error at its index rather than a file silently skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from auditor.gcp.activity import looks_like_activity
from auditor.gcp.custom_roles import looks_like_custom_role
from auditor.gcp.gke_clusters import looks_like_cluster
from auditor.gcp.service_accounts import looks_like_key, looks_like_service_account


class ListingKind(StrEnum):
    """The gcloud commands whose JSON output auditor reads."""

    SERVICE_ACCOUNTS = "gcloud iam service-accounts list"
    KEYS = "gcloud iam service-accounts keys list"
    CUSTOM_ROLES = "gcloud iam roles describe|list"
    CLUSTERS = "gcloud container clusters describe|list"
    ACTIVITIES = "gcloud policy-intelligence query-activity"


# Tried in order; the first test that holds for the first object names the listing.
_SNIFFERS: tuple[tuple[ListingKind, Callable[[Any], bool]], ...] = (
    (ListingKind.KEYS, looks_like_key),
    (ListingKind.SERVICE_ACCOUNTS, looks_like_service_account),
    (ListingKind.ACTIVITIES, looks_like_activity),
    (ListingKind.CUSTOM_ROLES, looks_like_custom_role),
    (ListingKind.CLUSTERS, looks_like_cluster),
)

EXPECTED_LISTINGS = ", ".join(f"`{kind.value} --format=json`" for kind in ListingKind)


def listing_items(document: Any) -> list[Any] | None:
    """The objects of a listing: the list itself, or a described object as a list of one."""
    if isinstance(document, list):
        return document
    if isinstance(document, Mapping):
        return [document]
    return None


def listing_kind(document: Any) -> ListingKind | None:
    """The kind of gcloud output `document` is; None when it is none of them (or empty)."""
    items = listing_items(document)
    if not items:
        return None
    first = items[0]
    for kind, looks_like in _SNIFFERS:
        if looks_like(first):
            return kind
    return None
