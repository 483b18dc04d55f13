"""Serving a Google gRPC service from plain handlers, with latency, faults and a call log.

Each RPC is registered with the proto-plus request class's `deserialize` and a serializer
that accepts raw bytes too — that is how a `malformed` fault sends a body the real client
cannot decode. `context.abort(grpc.StatusCode.X, …)` reaches the client as the matching
`google.api_core.exceptions` class.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent import futures
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
    """One method: request class, response class, handler(request) -> (target, response)."""

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
        handlers = {
            name: grpc.unary_unary_rpc_method_handler(
                self._wrap(name, rpc),
                request_deserializer=rpc.request.deserialize,
                response_serializer=_serializer(rpc.response),
            )
            for name, rpc in rpcs.items()
        }
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=32))
        self.server.add_generic_rpc_handlers(
            [grpc.method_handlers_generic_handler(service, handlers)]
        )
        self.port = self.server.add_insecure_port("127.0.0.1:0")

    @property
    def endpoint(self) -> str:
        """http://127.0.0.1:PORT (plain: the collector opens an insecure channel)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Serve."""
        self.server.start()

    def stop(self) -> None:
        """Stop at once."""
        self.server.stop(grace=None)

    def _wrap(self, name: str, rpc: Rpc) -> Callable[[Any, grpc.ServicerContext], Any]:
        method = f"{self.service}.{name}"

        def handler(request: Any, context: grpc.ServicerContext) -> Any:
            target = rpc.target(request)
            token = getattr(request, "page_token", "") or ""
            if self.latency:
                time.sleep(self.latency)
            fault = self.record.take(method, target)
            if fault is not None:
                self.record.log(method, target, token, fault)
                return self._fault(fault, method, target, context)
            try:
                response = rpc.handle(request)
            except RpcError as error:
                self.record.log(method, target, token, error.code.name.lower())
                context.abort(error.code, str(error))
            self.record.log(method, target, token, "ok")
            return response

        return handler

    @staticmethod
    def _fault(fault: str, method: str, target: str, context: grpc.ServicerContext) -> Any:
        if fault == "malformed":
            return MALFORMED
        if fault == "deadline":
            remaining = context.time_remaining()
            time.sleep(min(remaining + 0.05, 5.0) if remaining is not None else 1.0)
            context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded")
        if fault == "rate_limited":
            context.abort(
                grpc.StatusCode.RESOURCE_EXHAUSTED,
                "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per "
                "minute per project'.",
            )
        if fault == "unavailable":
            context.abort(grpc.StatusCode.UNAVAILABLE, "The service is currently unavailable.")
        context.abort(grpc.StatusCode.PERMISSION_DENIED, denial_message(method, target))
        return None
