"""Calendar tests run against the sandbox providers with the real client libraries."""

import pytest

from calendars.providers import microsoft
from tests.sandbox_fixtures import sandbox, sandbox_server  # noqa: F401  (fixtures)

PROVIDER_SETTINGS = (
    "GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET", "GOOGLE_AUTH_URI", "GOOGLE_TOKEN_URI", "GOOGLE_REVOKE_URI",
    "GOOGLE_API_ENDPOINT", "MICROSOFT_CLIENT_ID", "MICROSOFT_CLIENT_SECRET", "MICROSOFT_AUTHORITY",
    "MICROSOFT_GRAPH_URL", "PROVIDER_CA_BUNDLE",
)


@pytest.fixture
def providers(settings, sandbox):  # noqa: F811
    """Point the app at a freshly reset sandbox, as `make run` does with its environment."""
    env = sandbox.env()
    for name in PROVIDER_SETTINGS:
        setattr(settings, name, env[name])
    # msal keeps answers (including a 400) per process; a fresh sandbox must not see an old test's answers.
    microsoft._HTTP_CACHE.clear()
    return sandbox


@pytest.fixture
def pushing(settings, live_server, providers):
    """The app reachable over HTTP (Graph checks the webhook before it subscribes), with push switched on."""
    settings.SITE_URL = live_server.url
    settings.CALENDAR_PUSH_ENABLED = True
    return providers
