"""An API client for one cluster, from a kubeconfig context or the pod's service account.

Credentials are whatever the kubeconfig names — for GKE, the gke-gcloud-auth-plugin exec
plugin, re-run by the client when its token expires — so no token is ever written in
auditor.yaml. A fresh client is made for every collection: a rotated certificate or an edited
kubeconfig is picked up without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from kubernetes import client, config

from auditor.collectors.base import SourceError
from auditor.collectors.gke.settings import GkeSettings


@dataclass(slots=True)
class Connection:
    """The client of one collection, and the kubeconfig context it uses (None in-cluster)."""

    api_client: client.ApiClient
    context: str | None

    def close(self) -> None:
        """Release the connection pool."""
        self.api_client.close()  # type: ignore[no-untyped-call]


def connect(settings: GkeSettings) -> Connection:
    """A client configured from `settings`; SourceError('config') naming what is wrong."""
    configuration = client.Configuration()
    context: str | None = None
    where = "in-cluster configuration" if settings.in_cluster else _kubeconfig_label(settings)
    if settings.kubeconfig is not None and not settings.kubeconfig.is_file():
        raise SourceError("config", f"kubeconfig {settings.kubeconfig} does not exist")
    try:
        if settings.in_cluster:
            config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
        else:
            path = str(settings.kubeconfig) if settings.kubeconfig is not None else None
            config.load_kube_config(  # type: ignore[no-untyped-call]
                config_file=path,
                context=settings.context,
                client_configuration=configuration,
                persist_config=False,
            )
            context = settings.context or _current_context(path)
    except config.ConfigException as exc:
        # The client's own messages name files and keys, never credentials; first line only.
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid"
        raise SourceError("config", f"cannot use the {where}: {reason[:300]}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1})" if mark is not None else ""
        raise SourceError("config", f"the {where} is not valid YAML{at}") from None
    except OSError as exc:
        raise SourceError("config", f"cannot read the {where}: {exc.strerror}") from None
    # Retries are ours (calls.py): they honour Retry-After within the collection's deadline.
    configuration.retries = False
    return Connection(client.ApiClient(configuration), context)


def _kubeconfig_label(settings: GkeSettings) -> str:
    where = (
        f"kubeconfig {settings.kubeconfig}"
        if settings.kubeconfig is not None
        else "default kubeconfig ($KUBECONFIG or ~/.kube/config)"
    )
    return f"{where}, context {settings.context}" if settings.context else where


def _current_context(path: str | None) -> str | None:
    _, current = config.list_kube_config_contexts(config_file=path)  # type: ignore[no-untyped-call]
    name = current.get("name") if isinstance(current, dict) else None
    return name if isinstance(name, str) else None
