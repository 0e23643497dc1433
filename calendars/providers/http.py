"""HTTP sessions for provider calls: explicit trust roots and timeouts."""

import threading
from collections.abc import Callable
from typing import TypeVar

import requests
from django.conf import settings

T = TypeVar("T")


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


_clients = threading.local()


def thread_client(kind: str, key: tuple, make: Callable[[], T]) -> T:
    """The client made by `make` for `key`, reused by later calls in the same thread with the same key.

    Clients (httplib2, requests sessions) must not be shared between threads, and a new one per call costs a new
    connection per call: the sync fetches page after page in its own threads. Only the latest client per kind is
    kept, so nothing grows however many tokens a worker sees.
    """
    cached = getattr(_clients, kind, None)
    if cached is None or cached[0] != key:
        cached = (key, make())
        setattr(_clients, kind, cached)
    return cached[1]
