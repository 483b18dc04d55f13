"""Connections and queries with timeouts; every pymysql failure becomes a secret-free error."""

from __future__ import annotations

import ssl
from typing import Any

import pymysql
import pymysql.cursors

from auditor.collectors.base import SourceError
from auditor.collectors.mysql.rows import Row
from auditor.collectors.mysql.settings import InstanceSettings, TlsSettings

# Server error numbers that mean "this account may not do that".
PERMISSION_ERRORS = frozenset({1044, 1142, 1143, 1227, 1370, 3530})
UNKNOWN_STATEMENT_ERRORS = frozenset({1064})  # a statement this server does not know
NO_SUCH_TABLE_ERRORS = frozenset({1146, 1049})
SSL_NOT_OFFERED = 2026
_UNREACHABLE = frozenset({2002, 2003, 2005, 2006, 2013, 2055})


class QueryDenied(Exception):
    """A statement the monitoring account lacks a privilege for (the instance still answers)."""

    def __init__(self, code: int) -> None:
        self.code = code
        super().__init__(f"mysql error {code}")


class UnknownStatement(Exception):
    """The server does not know the statement (an older or newer version)."""


class NoSuchTable(Exception):
    """The table or schema does not exist."""


def _tls_context(tls: TlsSettings) -> ssl.SSLContext | None:
    if tls.mode == "disabled":
        return None
    context = ssl.create_default_context(cafile=str(tls.ca) if tls.ca else None)
    if tls.mode in ("preferred", "required"):
        # Encryption without authentication, as the MySQL clients' PREFERRED/REQUIRED modes.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif tls.mode == "verify_ca":
        context.check_hostname = False
    if tls.cert is not None and tls.key is not None:
        try:
            context.load_cert_chain(str(tls.cert), str(tls.key))
        except (OSError, ssl.SSLError) as exc:
            raise SourceError("config", f"cannot load the TLS client certificate: {exc}") from None
    return context


def source_error(exc: BaseException, where: str) -> SourceError:
    """A SourceError for a failed connect or query, naming the error number, never a secret."""
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    text = str(exc.args[1]) if len(exc.args) > 1 else ""
    if code == SSL_NOT_OFFERED:
        return SourceError("config", f"{where}: TLS required but the server does not offer it")
    if code == 1045:
        return SourceError(
            "auth", f"{where}: access denied (mysql error 1045); check user and password"
        )
    if code in PERMISSION_ERRORS:
        return SourceError("permission", f"{where}: privilege missing (mysql error {code})")
    if "timed out" in text.lower() or isinstance(exc, TimeoutError):
        return SourceError("timeout", f"{where}: no answer in time (mysql error {code})")
    if code in _UNREACHABLE or isinstance(exc, OSError):
        return SourceError(
            "unreachable", f"{where}: connection failed or lost (mysql error {code})"
        )
    return SourceError("protocol", f"{where}: mysql error {code or type(exc).__name__}")


class Session:
    """One connection to one instance, closed by `close()` (or the `with` block)."""

    def __init__(self, instance: InstanceSettings, password: str) -> None:
        self.instance = instance
        self.where = f"{instance.name} ({instance.host}:{instance.port})"
        context = _tls_context(instance.tls)
        try:
            try:
                self.connection = self._connect(password, context)
            except pymysql.err.OperationalError as exc:
                # PREFERRED: TLS when the server offers it (pymysql fails with 2026 otherwise).
                if instance.tls.mode != "preferred" or exc.args[0] != SSL_NOT_OFFERED:
                    raise
                self.connection = self._connect(password, None)
        except pymysql.MySQLError as exc:
            raise source_error(exc, self.where) from None
        except OSError as exc:
            raise source_error(exc, self.where) from None
        if instance.tls.mode != "preferred" and instance.tls.mode != "disabled":
            cipher = self.rows("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
            if not cipher or not cipher[0].get("Value"):
                self.close()
                raise SourceError("config", f"{self.where}: the server does not offer TLS")

    def _connect(self, password: str, context: ssl.SSLContext | None) -> pymysql.Connection[Any]:
        instance = self.instance
        return pymysql.connect(
            host=instance.host,
            port=instance.port,
            user=instance.user,
            password=password,
            connect_timeout=instance.connect_timeout_seconds,
            read_timeout=instance.read_timeout_seconds,
            write_timeout=instance.read_timeout_seconds,
            ssl=context,
            autocommit=True,
            charset="utf8mb4",
            cursorclass=pymysql.cursors.DictCursor,
            program_name="auditor",
        )

    def rows(self, statement: str, args: tuple[Any, ...] | None = None) -> list[Row]:
        """All rows of `statement`. Privilege and unknown-statement errors are typed; anything
        that means the instance is gone or broken is a SourceError."""
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(statement, args)
                return [dict(row) for row in cursor.fetchall()]
        except pymysql.MySQLError as exc:
            code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
            if code in PERMISSION_ERRORS:
                raise QueryDenied(code) from None
            if code in UNKNOWN_STATEMENT_ERRORS:
                raise UnknownStatement(statement) from None
            if code in NO_SUCH_TABLE_ERRORS:
                raise NoSuchTable(statement) from None
            raise source_error(exc, self.where) from None
        except OSError as exc:
            raise source_error(exc, self.where) from None

    def alive(self) -> bool:
        """Whether the kept connection still answers (a cheap ping, no reconnect)."""
        try:
            self.connection.ping(reconnect=False)
        except pymysql.MySQLError:
            return False
        except OSError:
            return False
        return True

    def close(self) -> None:
        """Close the connection; a dead one is already closed."""
        try:
            self.connection.close()
        except pymysql.MySQLError:
            pass
        except OSError:
            pass

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
