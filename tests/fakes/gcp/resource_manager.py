"""A fake Cloud Resource Manager v3 REST API, for the real client with `transport="rest"`.

Serves the paths the client calls (`GET /v3/projects?parent=…`, `GET /v3/projects/ID`,
`POST /v3/projects/ID:getIamPolicy`, the same for folders, `POST
/v3/organizations/N:getIamPolicy`), honours `$alt=json;enum-encoding=int`, pages with opaque
tokens, answers errors as Google does (`{"error": {code, message, status, details}}` with an
ErrorInfo naming the permission) and logs every call.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.gcp.estate import FakeOrganization
from tests.fakes.gcp.faults import PERMISSIONS, FakeRecord, denial_message

SERVICE = "google.cloud.resourcemanager.v3"
STATES = {"STATE_UNSPECIFIED": 0, "ACTIVE": 1, "DELETE_REQUESTED": 2}
DEFAULT_PAGE = 50
_ROUTES = (
    ("GET", re.compile(r"^/v3/projects$"), "Projects.ListProjects"),
    ("GET", re.compile(r"^/v3/projects/(?P<id>[^/:]+)$"), "Projects.GetProject"),
    ("POST", re.compile(r"^/v3/projects/(?P<id>[^/:]+):getIamPolicy$"), "Projects.GetIamPolicy"),
    ("GET", re.compile(r"^/v3/folders$"), "Folders.ListFolders"),
    ("GET", re.compile(r"^/v3/folders/(?P<id>[0-9]+)$"), "Folders.GetFolder"),
    ("POST", re.compile(r"^/v3/folders/(?P<id>[0-9]+):getIamPolicy$"), "Folders.GetIamPolicy"),
    (
        "POST",
        re.compile(r"^/v3/organizations/(?P<id>[0-9]+):getIamPolicy$"),
        "Organizations.GetIamPolicy",
    ),
)


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(token: str) -> int:
    if not token:
        return 0
    return int(base64.urlsafe_b64decode(token.encode()).decode().split(":", 1)[1])


class _ApiError(Exception):
    def __init__(self, code: int, status: str, message: str, info: dict[str, Any] | None = None):
        self.code, self.status, self.message, self.info = code, status, message, info
        super().__init__(message)


class ResourceManagerFake:
    """The HTTP server; `endpoint` is what the client's api_endpoint should be."""

    def __init__(self, org: FakeOrganization, record: FakeRecord, latency: float = 0.0) -> None:
        self.org = org
        self.record = record
        self.latency = latency
        self.deadline_seconds = 2.0  # how late a `deadline` fault answers
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once, as Google's do

            def do_GET(self) -> None:
                fake.handle(self, "GET")

            def do_POST(self) -> None:
                fake.handle(self, "POST")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 128
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        """http://127.0.0.1:PORT."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> None:
        """Serve in a background thread."""
        self.thread.start()

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    def handle(self, handler: BaseHTTPRequestHandler, verb: str) -> None:
        """Route, apply faults, answer, log."""
        url = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        length = int(handler.headers.get("content-length") or 0)
        body = json.loads(handler.rfile.read(length) or b"{}") if length else {}
        ints = "enum-encoding=int" in query.get("$alt", "")
        route = next(
            (
                (name, m)
                for v, pattern, name in _ROUTES
                if v == verb and (m := pattern.match(url.path))
            ),
            None,
        )
        if route is None:
            self._send(
                handler,
                404,
                {"error": {"code": 404, "message": "not found", "status": "NOT_FOUND"}},
            )
            return
        name, match = route
        method = f"{SERVICE}.{name}"
        target = self._target(name, match.groupdict().get("id"), query)
        token = query.get("pageToken", "")
        if self.latency:
            time.sleep(self.latency)
        fault = self.record.take(method, target)
        try:
            if fault is not None:
                self._fault(handler, fault, method, target)
                self.record.log(method, target, token, fault)
                return
            payload = self._answer(name, match.groupdict().get("id"), query, body, ints)
        except _ApiError as error:
            self.record.log(method, target, token, error.status.lower())
            self._send(handler, error.code, self._error_body(error))
            return
        self.record.log(method, target, token, "ok")
        self._send(handler, 200, payload)

    @staticmethod
    def _target(name: str, key: str | None, query: dict[str, str]) -> str:
        if name.startswith("Projects.") and key:
            return f"projects/{key}"
        if name.startswith("Folders.") and key:
            return f"folders/{key}"
        if name.startswith("Organizations."):
            return f"organizations/{key}"
        return query.get("parent", "")

    def _fault(self, handler: BaseHTTPRequestHandler, fault: str, method: str, target: str) -> None:
        if fault == "malformed":
            self._send_raw(handler, 200, b'{"projects": [{"name": "projects/1", "projectId": ')
        elif fault == "deadline":
            time.sleep(self.deadline_seconds)
            error = _ApiError(
                504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete."
            )
            self._send(handler, 504, self._error_body(error))
        elif fault == "rate_limited":
            error = _ApiError(
                429,
                "RESOURCE_EXHAUSTED",
                "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per "
                "minute' of service 'cloudresourcemanager.googleapis.com'.",
                {
                    "reason": "RATE_LIMIT_EXCEEDED",
                    "domain": "googleapis.com",
                    "metadata": {
                        "quota_metric": "cloudresourcemanager.googleapis.com/read_requests",
                        "quota_limit": "ReadRequestsPerMinutePerProject",
                    },
                },
            )
            self._send(handler, 429, self._error_body(error))
        elif fault == "unavailable":
            error = _ApiError(503, "UNAVAILABLE", "The service is currently unavailable.")
            self._send(handler, 503, self._error_body(error))
        else:
            raise self._denied(method, target)

    @staticmethod
    def _denied(method: str, target: str) -> _ApiError:
        resource = f"//cloudresourcemanager.googleapis.com/{target}"
        return _ApiError(
            403,
            "PERMISSION_DENIED",
            denial_message(method, resource),
            {
                "reason": "IAM_PERMISSION_DENIED",
                "domain": "cloudresourcemanager.googleapis.com",
                "metadata": {"permission": PERMISSIONS[method], "resource": target},
            },
        )

    def _answer(
        self, name: str, key: str | None, query: dict[str, str], body: dict[str, Any], ints: bool
    ) -> dict[str, Any]:
        org = self.org
        method = f"{SERVICE}.{name}"
        if name.endswith("GetIamPolicy"):
            scope = {
                "Projects": "projects",
                "Folders": "folders",
                "Organizations": "organizations",
            }[name.split(".")[0]]
            policy = org.policy_of(f"{scope}/{key}")
            if policy is None:  # Google says 403 for what does not exist, not 404
                raise self._denied(method, f"{scope}/{key}")
            version = body.get("options", {}).get("requestedPolicyVersion", 0)
            return self._versioned(policy, version)
        if name == "Projects.GetProject":
            project = org.project(key or "")
            if project is None:
                raise self._denied(method, f"projects/{key}")
            return self._enum(project.as_json(), ints)
        if name == "Folders.GetFolder":
            folder = org.folders.get(key or "")
            if folder is None:
                raise self._denied(method, f"folders/{key}")
            return self._enum(folder.as_json(), ints)
        parent = query.get("parent", "")
        if not re.match(r"^(organizations|folders)/[0-9]+$", parent):
            raise _ApiError(400, "INVALID_ARGUMENT", "parent must be folders/N or organizations/N")
        show_deleted = query.get("showDeleted") == "true"
        if name == "Projects.ListProjects":
            items = [p.as_json() for p in org.projects.values() if p.parent == parent]
            field_name = "projects"
        else:
            items = [f.as_json() for f in org.folders.values() if f.parent == parent]
            field_name = "folders"
        items = [i for i in items if show_deleted or i["state"] == "ACTIVE"]
        items.sort(key=lambda item: item["name"])
        size = int(query.get("pageSize") or DEFAULT_PAGE)
        start = _offset(query.get("pageToken", ""))
        page = [self._enum(item, ints) for item in items[start : start + size]]
        answer: dict[str, Any] = {field_name: page} if page else {}
        if start + size < len(items):
            answer["nextPageToken"] = _token(start + size)
        return answer

    @staticmethod
    def _versioned(policy: dict[str, Any], version: int) -> dict[str, Any]:
        """A policy as read at `version`: below 3, conditional bindings hide their condition."""
        answer = json.loads(json.dumps(policy))
        conditional = any("condition" in b for b in answer.get("bindings", []))
        if conditional and version < 3:
            for index, binding in enumerate(answer["bindings"]):
                if binding.pop("condition", None) is not None:
                    binding["role"] = f"{binding['role']}_withcond_{index:016x}"
            answer["version"] = 1
        elif conditional:
            answer["version"] = 3
        return answer

    @staticmethod
    def _enum(item: dict[str, Any], ints: bool) -> dict[str, Any]:
        if ints and "state" in item:
            return {**item, "state": STATES[item["state"]]}
        return item

    @staticmethod
    def _error_body(error: _ApiError) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": error.code,
            "message": error.message,
            "status": error.status,
        }
        if error.info:
            body["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", **error.info}]
        return {"error": body}

    def _send(self, handler: BaseHTTPRequestHandler, code: int, payload: dict[str, Any]) -> None:
        self._send_raw(handler, code, json.dumps(payload).encode())

    @staticmethod
    def _send_raw(handler: BaseHTTPRequestHandler, code: int, data: bytes) -> None:
        try:
            handler.send_response(code)
            handler.send_header("Content-Type", "application/json; charset=UTF-8")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its deadline passed): nothing to answer
