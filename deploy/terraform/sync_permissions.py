"""Write permissions.tf from the GCP collector's permission manifest.

    .venv/bin/python deploy/terraform/sync_permissions.py          # rewrite permissions.tf
    .venv/bin/python deploy/terraform/sync_permissions.py --check  # exit 1 if it is stale

The custom role's permissions are a literal list in Terraform, not a `yamldecode()` of the
manifest, so that the module works when copied out of this repository and a security review sees
every permission change in the .tf diff. tests/deploy/test_terraform.py fails when the two drift.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from auditor.collectors.gcp.manifest import Manifest, load_manifest

TARGET = Path(__file__).resolve().parent / "permissions.tf"
COMMAND = ".venv/bin/python deploy/terraform/sync_permissions.py"

HEADER = f"""\
# Generated from auditor/collectors/gcp/permissions.yaml by `{COMMAND}`.
# Do not edit: change the manifest and run the command (tests/deploy/test_terraform.py checks it).
"""


def hcl_string(text: str) -> str:
    """A quoted HCL string literal: JSON escaping, plus HCL's template sequences escaped."""
    return json.dumps(text, ensure_ascii=False).replace("${", "$${").replace("%{", "%%{")


def render(manifest: Manifest) -> str:
    """permissions.tf for `manifest`, laid out as `terraform fmt` would."""
    scalars = {
        "collector_role_id": manifest.role["id"],
        "collector_role_title": manifest.role["title"],
        "collector_role_description": " ".join(str(manifest.role["description"]).split()),
        "collector_role_stage": manifest.role.get("stage", "GA"),
    }
    width = max(len(name) for name in scalars)
    lines = [HEADER, "locals {"]
    lines += [f"  {name.ljust(width)} = {hcl_string(str(v))}" for name, v in scalars.items()]
    lines.append("")
    lines.append("  collector_permissions = [")
    lines += [f"    {hcl_string(permission)}," for permission in manifest.permissions]
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Rewrite permissions.tf, or with --check report whether it is stale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if permissions.tf is stale")
    args = parser.parse_args(argv)
    expected = render(load_manifest())
    current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
    if args.check:
        if current != expected:
            print(f"{TARGET} is stale; run {COMMAND}", file=sys.stderr)
            return 1
        return 0
    if current != expected:
        TARGET.write_text(expected, encoding="utf-8")
        print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
