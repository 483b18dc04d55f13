"""Real-shaped scan reports, built by hand from the model dataclasses, for the exporter tests."""

from __future__ import annotations

from datetime import UTC, datetime

from auditor.model import (
    Category,
    EvaluationError,
    Finding,
    FindingStatus,
    Location,
    ResourceRef,
    Severity,
    SourceHealth,
)
from auditor.report import ExpiredWaiver, Reference, RuleInfo, ScanReport

GENERATED_AT = datetime(2026, 3, 2, 9, 30, 0, tzinfo=UTC)
FIRST_SEEN = datetime(2026, 2, 20, 8, 0, 0, tzinfo=UTC)

API = ResourceRef(
    kind="k8s.workload",
    id="gke-prod/payments/Deployment/api",
    scope="gke-prod/payments",
    source="manifests",
    location=Location(file="deploy/payments/api.yaml", line=12),
)
WORKER = ResourceRef(
    kind="k8s.workload",
    id="gke-prod/payments/Deployment/worker",
    scope="gke-prod/payments",
    source="manifests",
    location=Location(file="deploy/payments/worker.yaml", line=1),
)
LEDGER = ResourceRef(
    kind="k8s.workload",
    id="gke-prod/ledger/StatefulSet/ledger-db",
    scope="gke-prod/ledger",
    source="manifests",
    location=Location(file="deploy/ledger/db.yaml", line=40),
)
EDITOR_SA = ResourceRef(
    kind="gcp.iam_binding",
    id="projects/data-prod|roles/editor|serviceAccount:etl@data-prod.iam.gserviceaccount.com",
    scope="projects/data-prod",
    source="gcp-org",
)
PUBLIC = ResourceRef(
    kind="gcp.iam_binding",
    id="projects/data-prod|roles/storage.objectViewer|allUsers",
    scope="projects/data-prod",
    source="gcp-org",
)
GMAIL = ResourceRef(
    kind="gcp.iam_binding",
    id="projects/data-prod|roles/bigquery.dataViewer|user:someone@gmail.com",
    scope="projects/data-prod",
    source="gcp-org",
)

MIN_REPLICAS = RuleInfo(
    id="gke-workload-min-replicas",
    title="Workloads run at least two replicas",
    severity=Severity.MEDIUM,
    category=Category.HA,
    kind="k8s.workload",
    description="A single replica is down during every node drain, upgrade and crash.",
    remediation="kubectl scale deployment/NAME --replicas=2; in the Helm values: replicaCount: 2",
    references=(
        Reference(
            title="Polaris deploymentMissingReplicas",
            url="https://polaris.docs.fairwinds.com/checks/reliability/",
        ),
    ),
)
PRIVILEGED = RuleInfo(
    id="gke-workload-privileged",
    title="Containers do not run privileged",
    severity=Severity.HIGH,
    category=Category.ZERO_TRUST,
    kind="k8s.workload",
    description="A privileged container has every capability of the node's root user.",
    remediation="Set securityContext.privileged: false on every container.",
    references=(
        Reference(
            title="CIS GKE Benchmark",
            benchmark="CIS GKE Benchmark",
            version="1.5.0",
            item="5.2.1",
            url="https://www.cisecurity.org/benchmark/kubernetes",
        ),
    ),
)
BASIC_ROLE = RuleInfo(
    id="gcp-iam-sa-basic-role",
    title="Service accounts hold no basic roles",
    severity=Severity.HIGH,
    category=Category.LEAST_PRIVILEGE,
    kind="gcp.iam_binding",
    description="roles/owner and roles/editor grant thousands of permissions.",
    remediation="gcloud projects remove-iam-policy-binding PROJECT --member=MEMBER --role=ROLE",
    references=(
        Reference(
            title="CIS Google Cloud Platform Foundation Benchmark",
            benchmark="CIS GCP",
            version="4.0.0",
            item="1.5",
        ),
    ),
)
PUBLIC_ACCESS = RuleInfo(
    id="gcp-iam-public-access",
    title="No binding grants access to allUsers or allAuthenticatedUsers",
    severity=Severity.CRITICAL,
    category=Category.ZERO_TRUST,
    kind="gcp.iam_binding",
    description="Anyone on the internet can use the role.",
    remediation="Remove the allUsers / allAuthenticatedUsers member from the binding.",
)
CONSUMER_DOMAIN = RuleInfo(
    id="gcp-iam-consumer-domain",
    title="No consumer accounts in IAM",
    severity=Severity.LOW,
    category=Category.PII,
    kind="gcp.iam_binding",
    description="Personal accounts leave with the person.",
    remediation="Grant the role to a group in the organisation's domain.",
)


def finding(
    rule: RuleInfo,
    resource: ResourceRef,
    message: str,
    *,
    status: FindingStatus = FindingStatus.OPEN,
    reason: str = "",
    evidence: dict[str, object] | None = None,
) -> Finding:
    """A finding of `rule` on `resource`, as the engine would make it."""
    return Finding(
        rule_id=rule.id,
        severity=rule.severity,
        category=rule.category,
        resource=resource,
        message=message,
        remediation=rule.remediation,
        evidence=dict(evidence or {}),
        status=status,
        status_reason=reason,
        first_seen=FIRST_SEEN,
        last_seen=GENERATED_AT,
    )


def build_report() -> ScanReport:
    """A scan of manifests and a GCP org: every kind of entry a report can hold."""
    return ScanReport(
        tool_version="0.1.0",
        generated_at=GENERATED_AT,
        fail_on=Severity.HIGH,
        rules=[MIN_REPLICAS, PRIVILEGED, BASIC_ROLE, PUBLIC_ACCESS, CONSUMER_DOMAIN],
        resources=[API, WORKER, LEDGER, EDITOR_SA, PUBLIC, GMAIL],
        # Deliberately out of order: exporters sort.
        findings=[
            finding(
                MIN_REPLICAS,
                API,
                "Deployment payments/api runs 1 replica(s); at least 2 are needed",
                evidence={"replicas": 1, "hpa": None},
            ),
            finding(
                BASIC_ROLE,
                EDITOR_SA,
                "serviceAccount:etl@data-prod.iam.gserviceaccount.com holds roles/editor "
                "on projects/data-prod",
                evidence={"role": "roles/editor", "member_type": "serviceAccount"},
            ),
            finding(
                PRIVILEGED,
                WORKER,
                "Container worker in payments/worker runs privileged",
                status=FindingStatus.WAIVED,
                reason="needs host networking until the CNI migration (owner sre@example.com)",
            ),
            finding(
                PUBLIC_ACCESS,
                PUBLIC,
                "allUsers holds roles/storage.objectViewer on projects/data-prod",
                evidence={"member": "allUsers"},
            ),
            finding(
                CONSUMER_DOMAIN,
                GMAIL,
                "user:someone@gmail.com is a consumer account",
                status=FindingStatus.BASELINED,
                reason="present in baseline .auditor-baseline.json",
            ),
        ],
        errors=[
            EvaluationError(
                rule_id=MIN_REPLICAS.id,
                resource=LEDGER,
                error="no such key: replicas",
            )
        ],
        sources=[
            SourceHealth(
                name="manifests",
                type="k8s-manifests",
                up=True,
                last_success=GENERATED_AT,
                duration_seconds=0.4,
                resources=3,
            ),
            SourceHealth(
                name="gke-prod",
                type="gke",
                up=False,
                last_success=datetime(2026, 3, 1, 22, 0, 0, tzinfo=UTC),
                duration_seconds=10.0,
                error="timed out after 10s listing deployments",
            ),
            SourceHealth(
                name="gcp-org",
                type="gcp",
                up=True,
                last_success=GENERATED_AT,
                duration_seconds=3.2,
                resources=3,
            ),
        ],
        expired_waivers=[
            ExpiredWaiver(
                rule="gke-workload-*",
                resource="gke-prod/ledger/*",
                owner="data-platform@example.com",
                reason="migration to the operator",
                expires="2026-02-01",
                source="waivers.yaml",
            )
        ],
        inputs=["deploy/", "iam/data-prod.json"],
    )


# Text no exporter may trust: XML and rich markup, terminal escapes, XML-forbidden characters,
# right-to-left and astral-plane characters, and a message far longer than any screen.
HOSTILE_MESSAGE = (
    'Deployment "a<b>&c" [bold red]not markup[/] \x1b[31mred\x1b[0m\x07 nul\x00 '
    "ünïcödé 数据 \u202eevil\u202c 🚨 ]]> --> " + "x" * 20_000
)
HOSTILE_ID = "gke-prod/ns-&<'\">/Deployment/\x1b]0;title\x07api"


def build_hostile_report() -> ScanReport:
    """A report whose messages, ids, reasons and errors carry hostile text."""
    report = build_report()
    hostile = ResourceRef(
        kind="k8s.workload",
        id=HOSTILE_ID,
        scope="gke-prod/ns-&<'\">",
        source="manifests",
        location=Location(file="deploy/odd dir/ü&<>.yaml", line=3),
    )
    report.resources.append(hostile)
    report.findings.append(
        finding(MIN_REPLICAS, hostile, HOSTILE_MESSAGE, evidence={"note": HOSTILE_MESSAGE})
    )
    report.findings.append(
        finding(
            PRIVILEGED,
            hostile,
            "privileged <container>",
            status=FindingStatus.WAIVED,
            reason="reason with & and <tags> and \x1b[2J",
        )
    )
    report.errors.append(
        EvaluationError(rule_id=BASIC_ROLE.id, resource=hostile, error="bad \x00 <error> & " * 50)
    )
    return report
