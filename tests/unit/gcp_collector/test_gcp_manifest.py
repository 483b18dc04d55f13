"""The permission manifest: every method the collector can call is in it, every permission
is well formed, and docs/sources/gcp.md prints exactly its permissions."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from auditor.collectors.gcp.calls import Method
from auditor.collectors.gcp.manifest import load_manifest, manifest_text

DOC = Path(__file__).resolve().parents[3] / "docs" / "sources" / "gcp.md"


def test_every_method_the_collector_names_is_in_the_manifest() -> None:
    """The Method enum and the manifest list the same methods."""
    assert {m.value for m in Method} == set(load_manifest().methods)


def test_permissions_are_service_resource_verb() -> None:
    """Each permission reads like Google's: service.resource.verb."""
    for permission in load_manifest().permissions:
        assert re.fullmatch(r"[a-z]+\.[a-zA-Z]+\.[a-zA-Z]+", permission), permission


def test_the_manifest_is_a_terraform_ready_role() -> None:
    """A role id, title and stage that google_organization_iam_custom_role accepts."""
    role = yaml.safe_load(manifest_text())["role"]
    assert re.fullmatch(r"[a-zA-Z0-9_.]{3,64}", role["id"])
    assert role["stage"] in {"ALPHA", "BETA", "GA"}
    assert role["title"] and len(role["title"]) <= 100


def test_the_source_page_lists_exactly_the_manifest_permissions() -> None:
    """docs/sources/gcp.md's permission table names every permission, and no other."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Permissions", 1)[1].split("\n## ", 1)[0]
    documented = set(
        re.findall(r"`((?:resourcemanager|iam|monitoring|cloudasset)\.[a-zA-Z.]+)`", section)
    )
    assert documented == set(load_manifest().permissions)
