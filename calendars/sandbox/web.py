"""A tiny request/response layer over http.server: routing, fault injection and request logging.

Each listening port is a `Listener` with its own router; all of them share one `State`.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

# The shared `State` (state.py) is written as `Any` here: state.py is built on this module, and importing it back,
# even for type checking only, would make a cycle.
State = Any

log = logging.getLogger("calendars.sandbox")

# Query parameters whose values are secrets or bearer-like handles: the request log keeps only their names.
SECRET_PARAMS = frozenset({
    "access_token", "refresh_token", "code", "code_verifier", "client_secret", "token", "id_token",
    "client_assertion", "assertion", "validationtoken", "synctoken", "pagetoken", "$deltatoken", "$skiptoken",
    "state", "nonce", "code_challenge", "login_hint",
})


class HttpError(Exception):
    """Raised by handlers to answer with a ready response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""  # shown in the request log (e.g. which fault answered)

    def header(self, name: str) -> str | None:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


def compact_json(data: Any) -> bytes:
    """JSON without the spaces the default separators add: about a tenth fewer bytes for a page of events."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(data: Any, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Response:
    return json_bytes_response(compact_json(data), status, headers)


def json_bytes_response(body: bytes, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, body, [("Content-Type", "application/json; charset=UTF-8"), *(headers or [])])


def html_response(html: str, status: int = 200) -> Response:
    return Response(status, html.encode(), [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action *"),
        ("X-Frame-Options", "DENY"),
    ])


def text_response(text: str, status: int = 200) -> Response:
    return Response(status, text.encode(), [("Content-Type", "text/plain; charset=utf-8")])


def redirect(location: str, status: int = 302) -> Response:
    return Response(status, b"", [("Location", location)])


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes
    listener: Listener
    params: dict[str, str] = field(default_factory=dict)  # unquoted path parameters from the route

    def q(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def q_ci(self, name: str) -> str | None:
        """Case-insensitive query lookup (Graph treats parameter names case-insensitively)."""
        lname = name.lower()
        for k, v in self.query.items():
            if k.lower() == lname and v:
                return v[0]
        return None

    def form(self) -> dict[str, str]:
        ctype = self.headers.get("Content-Type", "")
        if "application/x-www-form-urlencoded" not in ctype and self.body:
            return {}
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[0] for k, v in parsed.items()}

    def json(self) -> Any:
        if not self.body:
            return None
        return json.loads(self.body)

    def bearer(self) -> str | None:
        value = self.headers.get("Authorization", "")
        scheme, _, token = value.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None

    @property
    def base_url(self) -> str:
        return self.listener.base_url

    @property
    def state(self) -> State:
        return self.listener.state


Handler = Callable[[Request], Response]


class Router:
    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append((method, re.compile(pattern + r"\Z"), handler))

    def include(self, other: Router) -> None:
        self.routes.extend(other.routes)

    def dispatch(self, req: Request) -> Response | None:
        allowed = False
        for method, pattern, handler in self.routes:
            m = pattern.match(req.path)
            if not m:
                continue
            if method != req.method and not (method == "GET" and req.method == "HEAD"):
                allowed = True
                continue
            req.params = {k: unquote(v) for k, v in m.groupdict().items() if v is not None}
            return handler(req)
        if allowed:
            return Response(405, b"Method Not Allowed", [("Content-Type", "text/plain")])
        return None


class Listener:
    """One port: a router, the provider whose error shapes it speaks, and the shared state."""

    def __init__(
        self, name: str, provider: str, router: Router, state: State,
        error_body: Callable[[int, str | None, str | None, str], Response],
    ) -> None:
        self.name = name
        self.provider = provider
        self.router = router
        self.state = state
        self.error_body = error_body
        self.base_url = ""
        self.server: ThreadingHTTPServer | None = None

    def handle(self, req: Request) -> Response:
        started = time.monotonic()
        response: Response | None = None
        if not req.path.startswith("/_sandbox/"):
            response = self.state.faults.apply(self, req)
        if response is None:
            try:
                response = self.router.dispatch(req) or self.error_body(404, None, None, req.path)
            except HttpError as exc:
                response = exc.response
            except Exception:  # noqa: BLE001 - the sandbox must answer something, like a real 500
                log.exception("sandbox %s failed on %s %s", self.name, req.method, req.path)
                response = self.error_body(500, None, None, req.path)
        if not req.path.startswith("/_sandbox/"):
            self.state.log_request(self.name, req, response, time.monotonic() - started)
        return response


def redact_query(query: dict[str, list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in query.items():
        if k.lower() in SECRET_PARAMS:
            out[k] = "[redacted]"
        else:
            out[k] = v[0] if len(v) == 1 else v
    return out


def make_handler(listener: Listener) -> type[BaseHTTPRequestHandler]:
    class SandboxHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "SandboxProvider/1.0"
        timeout = 60  # idle keep-alive connections release their thread eventually

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            req = Request(
                method=self.command, path=parts.path or "/", query=parse_qs(parts.query, keep_blank_values=True),
                headers=self.headers, body=body, listener=listener,
            )
            resp = listener.handle(req)
            self.send_response(resp.status)
            names = {k.lower() for k, _ in resp.headers}
            for k, v in resp.headers:
                self.send_header(k, v)
            if "cache-control" not in names:
                self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            if self.command != "HEAD" and resp.body:
                self.wfile.write(resp.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            log.debug("%s %s", listener.name, format % args)

    return SandboxHandler
