"""Fixtures for the sandbox provider tests: no Django, only the sandbox and the real client libraries."""

from collections.abc import Callable
from typing import Any

import httplib2
import msal
import pytest
import requests
from google.oauth2.credentials import Credentials
from google_auth_httplib2 import AuthorizedHttp
from google_auth_oauthlib.flow import Flow
from googleapiclient.discovery import build

from calendars.sandbox.model import GOOGLE, MICROSOFT
from calendars.sandbox.server import SandboxServer
from tests import sandbox_fixtures as testing
from tests.sandbox_fixtures import consent, query_of

GOOGLE_SCOPES = ["openid", "https://www.googleapis.com/auth/userinfo.email", "https://www.googleapis.com/auth/calendar"]
GRAPH_SCOPES = ["Calendars.ReadWrite", "User.Read"]
GOOGLE_REDIRECT = "http://127.0.0.1:8000/calendars/callback/google/"
MICROSOFT_REDIRECT = "http://localhost:8000/calendars/callback/microsoft/"
DANA = "dana.schmidt@sandbox-google.test"
SAM = "sam.oconnor@sandbox-outlook.test"


# The reusable fixtures (a session-wide server, reset before each test), as the top-level conftest may wire them.
sandbox_server = testing.sandbox_server
sandbox = testing.sandbox


def google_flow(server: SandboxServer) -> Flow:
    client_id, secret = server.client(GOOGLE)
    config = {"web": {"client_id": client_id, "client_secret": secret,
                      "auth_uri": server.google_url + "/o/oauth2/v2/auth", "token_uri": server.google_url + "/token"}}
    return Flow.from_client_config(config, scopes=GOOGLE_SCOPES, redirect_uri=GOOGLE_REDIRECT)


@pytest.fixture
def insecure_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    # oauthlib refuses plain-http token endpoints; the Google stand-in is http (tests only).
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def google_login(sandbox: SandboxServer, insecure_transport: None) -> Callable[..., Credentials]:
    """Run the whole OAuth flow through the consent page with google-auth-oauthlib; return credentials."""

    def login(email: str = DANA, **auth_params: Any) -> Credentials:
        flow = google_flow(sandbox)
        url, _ = flow.authorization_url(prompt="consent", **auth_params)
        flow.fetch_token(authorization_response=consent(url, email))
        return flow.credentials

    return login


def calendar_service(server: SandboxServer, creds: Credentials) -> Any:
    return build("calendar", "v3", static_discovery=True, cache_discovery=False,
                 client_options={"api_endpoint": server.google_api_endpoint},
                 http=AuthorizedHttp(creds, http=httplib2.Http(timeout=10)))


@pytest.fixture
def google_service(sandbox: SandboxServer, google_login: Callable[..., Credentials]) -> Callable[..., Any]:
    def make(email: str = DANA) -> Any:
        return calendar_service(sandbox, google_login(email))

    return make


def msal_app(server: SandboxServer, tenant: str = "common") -> msal.ConfidentialClientApplication:
    client_id, secret = server.client(MICROSOFT)
    return msal.ConfidentialClientApplication(
        client_id, client_credential=secret, authority=server.microsoft_authority(tenant), instance_discovery=False,
        http_client=server.requests_session(), timeout=10,
    )


@pytest.fixture
def microsoft_login(sandbox: SandboxServer) -> Callable[..., dict[str, Any]]:
    """msal auth code flow through the consent page; returns msal's token result."""

    def login(email: str = SAM) -> dict[str, Any]:
        app = msal_app(sandbox)
        flow = app.initiate_auth_code_flow(GRAPH_SCOPES, redirect_uri=MICROSOFT_REDIRECT, prompt="select_account")
        result = app.acquire_token_by_auth_code_flow(flow, query_of(consent(flow["auth_uri"], email)))
        assert "access_token" in result, result
        return result

    return login


@pytest.fixture
def graph(sandbox: SandboxServer, microsoft_login: Callable[..., dict[str, Any]]) -> Callable[..., requests.Session]:
    """A requests session (sandbox CA, bearer token) for Graph calls as the given account."""

    def make(email: str = SAM) -> requests.Session:
        session = sandbox.requests_session()
        session.headers["Authorization"] = "Bearer " + microsoft_login(email)["access_token"]
        return session

    return make
