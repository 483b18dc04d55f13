"""auditor: reliability and compliance auditing for data platforms on Google Cloud."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gcp-data-auditor")
except PackageNotFoundError:  # running from a checkout without an install
    __version__ = "0.0.0+checkout"
