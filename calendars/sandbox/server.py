"""Start and stop the sandbox listeners (each in its own thread) around one shared `State`."""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from . import control, google_calendar, google_oauth, microsoft_graph, microsoft_identity
from .google_render import fault_body as google_fault
from .microsoft_render import fault_body as microsoft_fault
from .model import GOOGLE, MICROSOFT
from .state import State
from .tls import TlsMaterial, make_tls
from .web import Listener, Router, make_handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # keep-alive connections must not keep the process alive
    allow_reuse_address = True


def _router(*parts: Router) -> Router:
    router = Router()
    for part in parts:
        router.include(part)
    return router


@dataclass
class SandboxServer:
    """A running sandbox. `state` is the in-process Python API (see State's public methods)."""

    state: State
    host: str
    tls: TlsMaterial
    ca_bundle: str
    listeners: dict[str, Listener] = field(default_factory=dict)
    _threads: list[threading.Thread] = field(default_factory=list)
    _tmpdir: tempfile.TemporaryDirectory[str] | None = None

    @property
    def google_url(self) -> str:
        return self.listeners["google"].base_url

    @property
    def microsoft_url(self) -> str:
        return self.listeners["microsoft"].base_url

    @property
    def microsoft_http_url(self) -> str:
        return self.listeners["microsoft-http"].base_url

    @property
    def google_api_endpoint(self) -> str:
        return self.google_url + "/calendar/v3/"

    @property
    def graph_url(self) -> str:
        return self.microsoft_url + "/v1.0"

    def microsoft_authority(self, tenant: str = "common") -> str:
        return f"{self.microsoft_url}/{tenant}"

    def client(self, provider: str) -> tuple[str, str]:
        """(client_id, client_secret) of the first registered client of a provider."""
        for c in self.state.clients.values():
            if c.provider == provider:
                return c.client_id, c.secret
        raise LookupError(provider)

    def env(self) -> dict[str, str]:
        """Environment variables pointing the app (recruitee/settings/base.py names) at this sandbox."""
        gid, gsecret = self.client(GOOGLE)
        mid, msecret = self.client(MICROSOFT)
        return {
            "GOOGLE_CLIENT_ID": gid,
            "GOOGLE_CLIENT_SECRET": gsecret,
            "GOOGLE_AUTH_URI": self.google_url + "/o/oauth2/v2/auth",
            "GOOGLE_TOKEN_URI": self.google_url + "/token",
            "GOOGLE_REVOKE_URI": self.google_url + "/revoke",
            "GOOGLE_API_ENDPOINT": self.google_api_endpoint,
            "MICROSOFT_CLIENT_ID": mid,
            "MICROSOFT_CLIENT_SECRET": msecret,
            "MICROSOFT_AUTHORITY": self.microsoft_authority(),
            "MICROSOFT_GRAPH_URL": self.graph_url,
            "PROVIDER_CA_BUNDLE": self.ca_bundle,
            "OAUTHLIB_INSECURE_TRANSPORT": "1",  # the Google stand-in is plain http; oauthlib refuses it otherwise
        }

    def requests_session(self) -> Any:
        """A requests Session that trusts the sandbox CA (and ignores REQUESTS_CA_BUNDLE)."""
        import requests

        session = requests.Session()
        session.trust_env = False
        session.verify = self.ca_bundle
        return session

    def reset(self) -> None:
        self.state.reset()

    def stop(self) -> None:
        for listener in self.listeners.values():
            if listener.server is not None:
                listener.server.shutdown()
                listener.server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self.state.close()
        if self._tmpdir is not None:
            self._tmpdir.cleanup()

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_sandbox(
    *, host: str = "127.0.0.1", google_port: int = 0, microsoft_port: int = 0, microsoft_http_port: int = 0,
    ca_bundle: str | None = None, state: State | None = None,
) -> SandboxServer:
    """Start the three listeners (port 0 picks a free port) and return the running server."""
    state = state or State()
    tls = make_tls()
    tmpdir = None
    if ca_bundle is None:
        tmpdir = tempfile.TemporaryDirectory(prefix="calendar-sandbox-")
        ca_bundle = str(Path(tmpdir.name) / "sandbox-ca.pem")
    tls.write_ca_bundle(ca_bundle)
    server = SandboxServer(state=state, host=host, tls=tls, ca_bundle=ca_bundle, _tmpdir=tmpdir)
    specs = [
        ("google", GOOGLE, google_port, False, google_fault,
         _router(control.routes(), google_oauth.routes(), google_calendar.routes())),
        ("microsoft", MICROSOFT, microsoft_port, True, microsoft_fault,
         _router(control.routes(), microsoft_identity.routes(), microsoft_graph.routes())),
        ("microsoft-http", MICROSOFT, microsoft_http_port, False, microsoft_fault,
         _router(control.routes(), microsoft_identity.routes(browser_only=True))),
    ]
    try:
        for name, provider, port, secure, fault, router in specs:
            listener = Listener(name, provider, router, state, fault)
            httpd = _Server((host, port), make_handler(listener))
            if secure:
                httpd.socket = tls.server_context().wrap_socket(
                    httpd.socket, server_side=True, do_handshake_on_connect=False  # handshake in the worker thread
                )
            shown = f"[{host}]" if ":" in host else host
            listener.base_url = f"{'https' if secure else 'http'}://{shown}:{httpd.server_address[1]}"
            listener.server = httpd
            server.listeners[name] = listener
            state.urls[name] = listener.base_url
            thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                      name=f"sandbox-{name}", daemon=True)
            thread.start()
            server._threads.append(thread)
    except BaseException:
        server.stop()
        raise
    return server
