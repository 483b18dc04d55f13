"""Serving a Google gRPC service from plain handlers, with latency, faults and a call log.

Each RPC is registered with the proto-plus request class's `deserialize` and a serializer
that accepts raw bytes too — that is how a `malformed` fault sends a body the real client
cannot decode. Aborting with `grpc.StatusCode.X` reaches the client as the matching
`google.api_core.exceptions` class. The server is grpc's asyncio server on its own event-loop
thread: injected latency is an `asyncio.sleep`, not a blocked thread, so a fake serving many
calls at once costs little CPU next to the collector it serves.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc

from tests.fakes.gcp.faults import FakeRecord, denial_message

MALFORMED = b"\xff\xff\xff\xff\x0f"


class RpcError(Exception):
    """Raised by a handler to answer with a status."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        self.code = code
        super().__init__(message)


@dataclass
class Rpc:
    """One method: request class, response class, target(request), handle(request)."""

    request: Any
    response: Any
    target: Callable[[Any], str]
    handle: Callable[[Any], Any]


def _serializer(response_class: Any) -> Callable[[Any], bytes]:
    def serialize(message: Any) -> bytes:
        return message if isinstance(message, bytes) else response_class.serialize(message)

    return serialize


class GrpcFake:
    """A gRPC server for one Google service on 127.0.0.1."""

    def __init__(
        self, service: str, rpcs: dict[str, Rpc], record: FakeRecord, latency: float = 0.0
    ) -> None:
        self.service = service
        self.record = record
        self.latency = latency
        self._rpcs = rpcs
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: grpc.aio.Server | None = None
        self.port = 0

    @property
    def endpoint(self) -> str:
        """http://127.0.0.1:PORT (plain: the collector opens an insecure channel)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Serve, on the fake's own event-loop thread."""
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)

    async def _start(self) -> None:
        handlers = {
            name: grpc.unary_unary_rpc_method_handler(
                self._wrap(name, rpc),
                request_deserializer=rpc.request.deserialize,
                response_serializer=_serializer(rpc.response),
            )
            for name, rpc in self._rpcs.items()
        }
        self._server = grpc.aio.server()
        self._server.add_generic_rpc_handlers(
            [grpc.method_handlers_generic_handler(self.service, handlers)]
        )
        self.port = self._server.add_insecure_port("127.0.0.1:0")
        await self._server.start()

    def stop(self) -> None:
        """Stop at once, and the loop with it."""
        if self._server is not None:
            asyncio.run_coroutine_threadsafe(self._server.stop(None), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def _wrap(self, name: str, rpc: Rpc) -> Callable[[Any, Any], Awaitable[Any]]:
        method = f"{self.service}.{name}"

        async def handler(request: Any, context: Any) -> Any:
            target = rpc.target(request)
            token = getattr(request, "page_token", "") or ""
            if self.latency:
                await asyncio.sleep(self.latency)
            fault = self.record.take(method, target)
            if fault is not None:
                self.record.log(method, target, token, fault)
                return await self._fault(fault, method, target, context)
            try:
                response = rpc.handle(request)
            except RpcError as error:
                self.record.log(method, target, token, error.code.name.lower())
                await context.abort(error.code, str(error))
            self.record.log(method, target, token, "ok")
            return response

        return handler

    @staticmethod
    async def _fault(fault: str, method: str, target: str, context: Any) -> Any:
        if fault == "malformed":
            return MALFORMED
        if fault == "deadline":
            remaining = context.time_remaining()
            await asyncio.sleep(min(remaining + 0.05, 5.0) if remaining is not None else 1.0)
            await context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded")
        if fault == "rate_limited":
            await context.abort(
                grpc.StatusCode.RESOURCE_EXHAUSTED,
                "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per "
                "minute per project'.",
            )
        if fault == "unavailable":
            await context.abort(
                grpc.StatusCode.UNAVAILABLE, "The service is currently unavailable."
            )
        await context.abort(grpc.StatusCode.PERMISSION_DENIED, denial_message(method, target))
        return None
