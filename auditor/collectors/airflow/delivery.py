"""DAG delivery: the DAG folder of a Git checkout, the objects under the environment's bucket
prefix, and what Airflow parsed — compared into one composer.dag_file resource per path.

The comparison (`compare`) is pure; reading the folder and listing the bucket are the I/O.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import google_crc32c

from auditor.collectors.airflow.api import iso
from auditor.collectors.airflow.settings import DagDelivery
from auditor.collectors.base import SourceError

DAG_FILE_KIND = "composer.dag_file"


@dataclass(frozen=True, slots=True)
class GitFile:
    """A file of the checkout's DAG folder, hashed as GCS hashes objects (base64)."""

    md5: str
    crc32c: str
    dag_candidate: bool


@dataclass(frozen=True, slots=True)
class BucketObject:
    """An object under the bucket prefix. Composite objects have no MD5."""

    name: str
    md5: str | None
    crc32c: str | None
    updated: datetime | None


@dataclass(slots=True)
class ParsedFile:
    """What Airflow knows of one file: its DAGs, when it last parsed them, its import error."""

    dag_ids: list[str] = field(default_factory=list)
    parsed_at: datetime | None = None
    import_error: str | None = None
    import_error_at: datetime | None = None


def ignored(path: str, patterns: Iterable[str]) -> bool:
    """True when a relative path (or its file name) matches an ignore glob."""
    name = path.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(name, p) for p in patterns)


def might_contain_dag(path: str, content: bytes) -> bool:
    """Airflow's safe-mode test: a .py file mentioning both 'airflow' and 'dag', or a zip."""
    if path.endswith(".zip"):
        return True
    lowered = content.lower()
    return path.endswith(".py") and b"airflow" in lowered and b"dag" in lowered


def hash_file(path: str, content: bytes) -> GitFile:
    """MD5 and CRC32C of `content` in GCS's encoding (base64 of the big-endian digest)."""
    md5 = base64.b64encode(hashlib.md5(content, usedforsecurity=False).digest()).decode()
    crc = base64.b64encode(struct.pack(">I", google_crc32c.value(content))).decode()
    return GitFile(md5=md5, crc32c=crc, dag_candidate=might_contain_dag(path, content))


def read_git_folder(folder: Path, patterns: Iterable[str]) -> dict[str, GitFile]:
    """Every file under the checkout's DAG folder by relative path (`.git` and ignored skipped)."""
    if not folder.is_dir():
        raise SourceError("config", f"delivery: git_dags_folder {folder} is not a directory")
    patterns = list(patterns)
    files: dict[str, GitFile] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if not path.is_file() or relative.split("/", 1)[0] == ".git" or ignored(relative, patterns):
            continue
        files[relative] = hash_file(relative, path.read_bytes())
    return files


def list_bucket(delivery: DagDelivery, timeout_seconds: float = 10.0) -> dict[str, BucketObject]:
    """Objects under the bucket prefix by path relative to it, through google-cloud-storage
    (Application Default Credentials; STORAGE_EMULATOR_HOST is honoured).

    Each call and its retries are bounded by `timeout_seconds` (the library's defaults, 60 s a
    call and 120 s of retries, outlast the source's deadline: a bucket outage would take the
    whole source down instead of being one problem)."""
    import google.api_core.exceptions as google_errors
    import google.auth.exceptions
    from google.cloud.storage import Client
    from google.cloud.storage.retry import DEFAULT_RETRY

    try:
        client = Client(project=delivery.project)
        blobs = list(
            client.list_blobs(
                delivery.bucket,
                prefix=delivery.prefix or None,
                timeout=timeout_seconds,
                retry=DEFAULT_RETRY.with_timeout(timeout_seconds),
            )
        )
    except google.auth.exceptions.DefaultCredentialsError:
        raise SourceError("auth", "delivery: no Google credentials to list the bucket") from None
    except google_errors.Forbidden:
        raise SourceError(
            "permission", f"delivery: not allowed to list gs://{delivery.bucket}"
        ) from None
    except google_errors.NotFound:
        raise SourceError("config", f"delivery: bucket gs://{delivery.bucket} not found") from None
    except (google_errors.GoogleAPIError, google.auth.exceptions.GoogleAuthError) as exc:
        raise SourceError(
            "unreachable", f"delivery: cannot list gs://{delivery.bucket} ({type(exc).__name__})"
        ) from None
    objects: dict[str, BucketObject] = {}
    for blob in blobs:
        name = str(blob.name)
        relative = name[len(delivery.prefix) :]
        if not relative or name.endswith("/") or ignored(relative, delivery.ignore):
            continue
        objects[relative] = BucketObject(
            name=name, md5=blob.md5_hash, crc32c=blob.crc32c, updated=blob.updated
        )
    return objects


def _content_matches(git: GitFile | None, obj: BucketObject | None) -> bool | None:
    if git is None or obj is None:
        return None
    if obj.md5:
        return obj.md5 == git.md5
    if obj.crc32c:
        return obj.crc32c == git.crc32c
    return None


def compare(
    environment: str,
    delivery: DagDelivery,
    git: Mapping[str, GitFile],
    bucket: Mapping[str, BucketObject],
    parsed: Mapping[str, ParsedFile],
) -> list[dict[str, Any]]:
    """One composer.dag_file data per path in Git or in the bucket, sorted by path."""
    out = []
    for path in sorted(set(git) | set(bucket)):
        source, obj = git.get(path), bucket.get(path)
        airflow = parsed.get(path, ParsedFile())
        out.append(
            {
                "environment": environment,
                "path": path,
                "bucket": delivery.bucket,
                "object_name": obj.name if obj else delivery.prefix + path,
                "in_git": source is not None,
                "in_bucket": obj is not None,
                "git_md5": source.md5 if source else None,
                "bucket_md5": obj.md5 if obj else None,
                "bucket_crc32c": obj.crc32c if obj else None,
                "content_matches": _content_matches(source, obj),
                "object_updated": iso(obj.updated) if obj else None,
                "dag_candidate": source.dag_candidate if source else None,
                "dag_ids": sorted(airflow.dag_ids),
                "parsed_at": iso(airflow.parsed_at),
                "import_error": airflow.import_error,
                "import_error_at": iso(airflow.import_error_at),
            }
        )
    return out
