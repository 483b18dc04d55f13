"""The fake API server on a 127.0.0.1 port from a background thread, and kubeconfigs for it."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import kmock
import yaml

from tests.fakes.k8s.apiserver import ApiServerEmulator

GKE_CONTEXT = "gke_acme-data-prod_europe-west1_data-prod"


class EmulatorServer:
    """Serves one ApiServerEmulator over HTTP until stopped; `url` is where."""

    def __init__(self, emulator: ApiServerEmulator | None = None, port: int | None = None) -> None:
        self.emulator = emulator or ApiServerEmulator()
        self.url = ""
        self._port = port
        self._ready = threading.Event()
        self._failed: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="k8s-emulator", daemon=True)

    def start(self, timeout: float = 10.0) -> EmulatorServer:
        """Start serving; returns once the port is bound (or raises why it could not be)."""
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError(f"the emulator did not start within {timeout} s")
        if self._failed is not None:
            raise RuntimeError("the emulator failed to start") from self._failed
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # noqa: BLE001 - reported to start()
            self._failed = exc
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with (
            self.emulator,
            kmock.Server(self.emulator, host="127.0.0.1", port=self._port) as server,
        ):
            self.url = str(server.url).rstrip("/")
            self._ready.set()
            await self._stop.wait()

    def kubeconfig(
        self,
        path: Path,
        *,
        context: str = GKE_CONTEXT,
        token: str | None = None,
        exec_command: list[str] | None = None,
    ) -> Path:
        """Write a kubeconfig whose `context` reaches this server; returns `path`.

        The user authenticates with a static bearer token, or (like GKE's
        gke-gcloud-auth-plugin) through an exec credential plugin `exec_command`.
        """
        user: dict[str, Any] = {}
        if token is not None:
            user["token"] = token
        if exec_command is not None:
            user["exec"] = {
                "apiVersion": "client.authentication.k8s.io/v1beta1",
                "command": exec_command[0],
                "args": exec_command[1:],
                "installHint": "Install gke-gcloud-auth-plugin for use with kubectl",
                "provideClusterInfo": True,
                "interactiveMode": "IfAvailable",
            }
        document = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": context, "cluster": {"server": self.url}}],
            "users": [{"name": context, "user": user}],
            "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
            "current-context": context,
        }
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        return path
