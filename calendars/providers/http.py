"""HTTP sessions for provider calls: explicit trust roots and timeouts."""

import requests
from django.conf import settings


class TimeoutSession(requests.Session):
    """A requests session whose every call has a timeout unless the caller gives one."""

    def __init__(self, timeout: float):
        super().__init__()
        self.default_timeout = timeout

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", self.default_timeout)
        return super().request(method, url, **kwargs)


def provider_session() -> requests.Session:
    session = TimeoutSession(settings.PROVIDER_TIMEOUT_SECONDS)
    if settings.PROVIDER_CA_BUNDLE:
        # REQUESTS_CA_BUNDLE in the environment would silently override `verify` unless trust_env is off.
        session.trust_env = False
        session.verify = settings.PROVIDER_CA_BUNDLE
    return session
