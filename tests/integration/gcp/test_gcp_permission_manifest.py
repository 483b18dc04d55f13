"""The permission manifest covers every API method a full collection calls, and names the
permission Google's reference gives each (the fakes hold their own copy of that reference)."""

from __future__ import annotations

from auditor.collectors.gcp.manifest import load_manifest
from tests.fakes.gcp.faults import PERMISSIONS
from tests.fakes.gcp.server import FakeGcp
from tests.integration.gcp.conftest import collect, settings_for

# Predefined roles need no permission to read (iam.roles.get guards custom roles only).
NO_PERMISSION = {"google.iam.admin.v1.IAM.GetRole"}


def test_a_full_collection_calls_only_methods_the_manifest_covers(fakes: FakeGcp) -> None:
    """Discovery, folder ancestry, every part on (Cloud Asset Inventory searches too): each
    method called is in the manifest with the permission the API requires."""
    manifest = load_manifest()
    collect(settings_for(fakes, page_size=2, assets={"enabled": True, "page_size": 2}))
    collect(settings_for(fakes, projects=["acme-data-prod"]))  # GetProject, GetFolder
    called = fakes.record.methods()
    assert called - set(manifest.methods) == set()
    for method in called:
        expected = None if method in NO_PERMISSION else PERMISSIONS[method]
        assert manifest.permission_for(method) == expected, method
    assert len(called) == len(manifest.methods)  # and the manifest lists nothing unused


def test_every_permission_is_a_read() -> None:
    """The custom role grants no verb that changes anything (the asset searches read)."""
    verbs = {permission.rsplit(".", 1)[1] for permission in load_manifest().permissions}
    assert verbs <= {"get", "list", "getIamPolicy", "searchAllIamPolicies", "searchAllResources"}
