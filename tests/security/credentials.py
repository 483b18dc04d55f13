"""Credential material for the canaries: a client key locked with another password than the
configured one, and a service-account key file for Application Default Credentials."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from tests.security.canaries import Canaries


def encrypted_client_key(root: Path, password: str) -> tuple[Path, Path]:
    """A client certificate and its key, encrypted with `password` (not the configured one)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "auditor")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = root / "client.pem", root / "client.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(password.encode()),
        )
    )
    return cert_path, key_path


def service_account_key(path: Path, token_uri: str, canaries: Canaries) -> Path:
    """A service-account key file (an operator's fallback where Workload Identity is missing)
    whose token endpoint is `token_uri`; its key id and a line of its private key are planted
    as canaries."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    canaries.plant("gcp-private-key-line", pem.splitlines()[5])
    document = {
        "type": "service_account",
        "project_id": "acme-data-prod",
        "private_key_id": canaries.plant("gcp-private-key-id"),
        "private_key": pem,
        "client_email": "auditor@acme-data-prod.iam.gserviceaccount.com",
        "client_id": "109876543210987654321",
        "token_uri": token_uri,
    }
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")
    path.chmod(0o600)
    return path
