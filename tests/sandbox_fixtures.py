"""Test helpers for the calendar sandbox: pytest fixtures for a running sandbox, a consent-page clicker and a
webhook receiver. They live with the tests, not in calendars/sandbox/, so the product never ships pytest code.

Wire the fixtures into a conftest with::

    from tests.sandbox_fixtures import sandbox, sandbox_server  # noqa: F401

`sandbox_server` (session scope) starts all listeners on free ports once; `sandbox` resets the state before
each test and yields the same `SandboxServer` (`.google_url`, `.microsoft_url`, `.microsoft_http_url`,
`.graph_url`, `.ca_bundle`, `.state`, `.env()`, `.requests_session()`, ...).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

from calendars.sandbox.server import SandboxServer, start_sandbox


def make_sandbox_fixtures(
    *, server_name: str = "sandbox_server", name: str = "sandbox", **start_kwargs: Any
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """Build the two fixtures; `start_kwargs` go to `start_sandbox` (ports, host, state)."""

    @pytest.fixture(scope="session", name=server_name)
    def _server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
        bundle = tmp_path_factory.mktemp("calendar-sandbox") / "sandbox-ca.pem"
        server = start_sandbox(ca_bundle=str(bundle), **start_kwargs)
        try:
            yield server
        finally:
            server.stop()

    @pytest.fixture(name=name)
    def _sandbox(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
        server: SandboxServer = request.getfixturevalue(server_name)
        server.reset()
        yield server

    return _server, _sandbox


sandbox_server, sandbox = make_sandbox_fixtures()


# --- consent pages -----------------------------------------------------------------------------------------


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.buttons: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action = a.get("action", "")
        elif tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "button" and a.get("name"):
            self.buttons.append((a["name"], a.get("value", "")))


def _plain_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session


def consent_response(auth_url: str, account: str | None = None, *, deny: bool = False,
                     session: requests.Session | None = None) -> requests.Response:
    """Open a sandbox consent page and pick `account` (default: the first offered) or Deny, like a person
    would; returns the sandbox's raw answer (a redirect, or a self-posting form for response_mode=form_post)."""
    http = session or _plain_session()
    page = http.get(auth_url, allow_redirects=False, timeout=10)
    if page.is_redirect:
        return page
    if page.status_code != 200:
        raise AssertionError(f"consent page answered {page.status_code}: {page.text[:300]}")
    form = _FormParser()
    form.feed(page.text)
    if form.action is None:
        raise AssertionError("no form on the consent page")
    data = dict(form.fields)
    if deny:
        data["deny"] = "1"
    else:
        choices = [v for k, v in form.buttons if k == "account"]
        if account is None:
            account = choices[0]
        if account not in choices:
            raise AssertionError(f"{account} is not offered; choices: {choices}")
        data["account"] = account
    return http.post(urljoin(auth_url, form.action), data=data, allow_redirects=False, timeout=10)


def consent(auth_url: str, account: str | None = None, *, deny: bool = False,
            session: requests.Session | None = None) -> str:
    """`consent_response`, returning the URL the browser is sent back to (with code/state or error)."""
    answer = consent_response(auth_url, account, deny=deny, session=session)
    if not answer.is_redirect:
        raise AssertionError(f"consent answered {answer.status_code}: {answer.text[:300]}")
    return answer.headers["Location"]


def form_post_fields(answer: requests.Response) -> tuple[str, dict[str, str]]:
    """(action, fields) of a response_mode=form_post answer: what the browser would POST to the app."""
    form = _FormParser()
    form.feed(answer.text)
    if form.action is None:
        raise AssertionError(f"not a form_post answer: {answer.status_code} {answer.text[:300]}")
    return form.action, form.fields


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


# --- webhook receiver --------------------------------------------------------------------------------------


class WebhookReceiver:
    """A local HTTP endpoint recording every POST. With `echo_validation` it answers Graph's
    `?validationToken=` handshake like a well-behaved app; otherwise it answers `status` to everything."""

    def __init__(self, *, echo_validation: bool = True, status: int = 202, host: str = "127.0.0.1") -> None:
        self.received: list[dict[str, Any]] = []
        self.echo_validation = echo_validation
        self.status = status
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - stdlib naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                entry = {"path": parts.path, "query": query, "headers": dict(self.headers.items()), "body": body}
                token = query.get("validationToken")
                if token is not None and receiver.echo_validation:
                    payload, status, ctype = token.encode(), 200, "text/plain"
                else:
                    payload, status, ctype = b"", receiver.status, "text/plain"
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                with receiver._cond:
                    receiver.received.append(entry)
                    receiver._cond.notify_all()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://{host}:{self._server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def notifications(self) -> list[dict[str, Any]]:
        """Received POSTs that are not validation handshakes; Graph bodies parsed as JSON."""
        with self._cond:
            out = []
            for r in self.received:
                if "validationToken" in r["query"]:
                    continue
                item = dict(r)
                if r["body"]:
                    item["json"] = json.loads(r["body"])
                out.append(item)
            return out

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len([r for r in self.received if "validationToken" not in r["query"]]) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
        return self.notifications()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> WebhookReceiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
