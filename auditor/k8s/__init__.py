"""Kubernetes objects (from manifests, Helm charts or an API server) normalised into resources."""

from auditor.k8s.normalize import DEFAULT_PII, NormalizeResult, normalize
from auditor.k8s.objects import RawObject

__all__ = ["DEFAULT_PII", "NormalizeResult", "RawObject", "normalize"]
