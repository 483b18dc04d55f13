"""A generated organization for the GCP benchmark: N projects under folders, B bindings per
project policy, A service accounts and K keys spread over the projects, custom roles, and the
Monitoring data a real organization has (authentications, Pub/Sub backlog, Composer health).

Deterministic for given sizes (a seeded generator), in the fakes' REST JSON shapes.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from tests.fakes.gcp.estate import FakeOrganization
from tests.fakes.gcp.seed import PREDEFINED, _predefined
from tests.fakes.gcp.series import authentications, backlog, composer_health, stamp

ROLES = [*PREDEFINED, "roles/storage.admin", "roles/bigquery.jobUser", "roles/logging.viewer"]
FOLDERS = 10


def generated_org(
    now: datetime, *, projects: int = 200, bindings: int = 30, accounts: int = 500, keys: int = 800
) -> FakeOrganization:
    """The benchmark organization."""
    rng = random.Random(20261126)
    org = FakeOrganization("123456789012")
    org.predefined_roles = {name: _predefined(name, [f"{name[6:]}.get"]) for name in ROLES}
    org.policy = {
        "version": 1,
        "etag": "BwY=",
        "bindings": [{"role": "roles/viewer", "members": ["group:auditors@acme.example"]}],
    }
    for number in range(FOLDERS):
        org.add_folder(str(800000000000 + number), org.scope, f"team-{number}")
    made = []
    for index in range(projects):
        folder = str(800000000000 + index % FOLDERS)
        project = org.add_project(
            f"acme-p{index:04d}", str(500000000000 + index), f"folders/{folder}",
            labels={"env": rng.choice(["prod", "staging", "dev"]), "team": f"t{index % FOLDERS}"},
        )  # fmt: skip
        project.roles = [
            {"name": f"projects/{project.project_id}/roles/operator", "title": "Operator",
             "includedPermissions": ["storage.objects.get", "dataflow.jobs.create"], "etag": "BwY="}
        ]  # fmt: skip
        made.append(project)
    for index in range(accounts):
        project = made[index % projects]
        project.add_account(f"svc-{index:04d}", uniqueId=str(110000000000000000000 + index))
    emails = [(p, a["email"], a["uniqueId"]) for p in made for a in p.service_accounts]
    for index in range(keys):
        project, email, _ = emails[index % len(emails)]
        project.add_key(
            email, f"{index:040x}", validAfterTime=stamp(now - timedelta(days=rng.randint(1, 700)))
        )
    for project in made:
        members = [f"user:u{n}@acme.example" for n in range(bindings)]
        members += [f"serviceAccount:{a['email']}" for a in project.service_accounts]
        project.policy = {
            "version": 1,
            "etag": "BwY=",
            "bindings": [
                {"role": ROLES[n % len(ROLES)], "members": [members[n % len(members)]]}
                for n in range(bindings)
            ],
        }
    series = []
    for project, _email, unique_id in emails:
        if rng.random() < 0.7:
            series.append(
                authentications(
                    project.project_id, unique_id, [(now - timedelta(days=rng.randint(1, 40)), 5)]
                )
            )
    for index, project in enumerate(made):
        if index % 4 == 0:
            series.extend(backlog(now, project.project_id, "events", [10] * 30, [5] * 30))
        if index % 20 == 0:
            series.append(
                composer_health(now, project.project_id, "europe-west1", "env", [True] * 30)
            )
    org.time_series = series
    return org
