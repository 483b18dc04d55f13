"""One instance's rows → resources of every mysql kind. Pure: recorded rows in, resources out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from auditor.collectors.mysql.accounts import (
    ACCOUNT_KIND,
    is_locked,
    is_role,
    login_key,
    normalise_account,
)
from auditor.collectors.mysql.flavour import detect_flavour
from auditor.collectors.mysql.grants import collect_grants
from auditor.collectors.mysql.pii import (
    PII_COLUMN_KIND,
    PiiClassifier,
    normalise_pii_column,
    read_column,
    readers,
)
from auditor.collectors.mysql.replication import (
    CHANNEL_KIND,
    HeartbeatView,
    normalise_channel,
    unconfigured_channel,
)
from auditor.collectors.mysql.rows import InstanceRows
from auditor.collectors.mysql.server import SERVER_KIND, decide_role, normalise_server
from auditor.collectors.mysql.settings import InstanceSettings, MysqlSettings
from auditor.model import Resource


def instance_scope(source: str, instance: InstanceSettings) -> str:
    """The scope (and id prefix) of everything read from one instance."""
    return f"{source}/{instance.name}"


def _resource(
    kind: str, scope: str, key: str, data: dict[str, Any], source: str, at: datetime
) -> Resource:
    return Resource(
        kind=kind,
        id=f"{scope}/{key}" if key else scope,
        source=source,
        scope=scope,
        data={**data, "stale": False},
        observed_at=at,
    )


def _heartbeat_view(settings: MysqlSettings, rows: InstanceRows) -> HeartbeatView | None:
    if settings.heartbeat is None or rows.heartbeat is None:
        return None
    local = settings.heartbeat.timestamps == "local"
    return HeartbeatView(
        rows=rows.heartbeat,
        now=rows.local_now if local else rows.utc_now,
        source_server_id=settings.heartbeat.source_server_id,
    )


def normalise_instance(
    settings: MysqlSettings,
    instance: InstanceSettings,
    rows: InstanceRows,
    observed_at: datetime,
    known_channels: list[str] | None = None,
) -> list[Resource]:
    """Every resource of one instance that answered.

    `known_channels` are channel names seen on earlier collections: a replica whose channels
    vanished (RESET REPLICA ALL) keeps them as `configured: false` instead of going silent.
    """
    source, scope = settings.name, instance_scope(settings.name, instance)
    flavour = detect_flavour(rows.version, rows.version_comment)
    resources: list[Resource] = []
    common = {"instance": instance.name, "server": f"{instance.host}:{instance.port}"}

    channels = []
    if rows.replica_status is not None:
        view = _heartbeat_view(settings, rows)
        channels = [normalise_channel(row, view) for row in rows.replica_status]
    configured = sum(1 for c in channels if c["configured"])
    role, _ = decide_role(instance, configured)
    if rows.replica_status is not None and role == "replica" and not configured:
        names = {c["channel"] for c in channels} | set(known_channels or [""])
        channels = [unconfigured_channel(name) for name in sorted(names)]
    for channel in channels:
        data = {**common, "name": f"{instance.name}/{channel['channel'] or 'default'}", **channel}
        key = channel["channel"] or "default"
        resources.append(_resource(CHANNEL_KIND, scope, key, data, source, observed_at))

    server = normalise_server(
        instance, flavour, rows.variables, rows.status, configured, rows.missing_grants
    )
    resources.insert(0, _resource(SERVER_KIND, scope, "", server, source, observed_at))

    grants = collect_grants(rows.privileges) if rows.privileges is not None else None
    logins = []
    if rows.privileges is not None and grants is not None:
        logins = [row for row in rows.privileges.logins if not is_role(row)]
        for row in logins:
            data = {**common, **normalise_account(row, grants, server["require_secure_transport"])}
            key = data["name"]
            data["name"] = f"{instance.name}/{key}"
            data["account"] = key
            resources.append(_resource(ACCOUNT_KIND, scope, key, data, source, observed_at))

    if rows.columns is not None:
        classifier = PiiClassifier(settings.pii)
        can_log_in = [login_key(row) for row in logins if not is_locked(row)]
        for row in rows.columns:
            column = read_column(row)
            if not classifier.in_scope(column.schema):
                continue
            categories, matched_by = classifier.classify(column)
            if not categories:
                continue
            reader_list = readers(column, can_log_in, grants) if grants is not None else None
            data = {**common, **normalise_pii_column(column, categories, matched_by, reader_list)}
            key = data["name"]
            data["name"] = f"{instance.name}/{key}"
            resources.append(_resource(PII_COLUMN_KIND, scope, key, data, source, observed_at))
    return resources
